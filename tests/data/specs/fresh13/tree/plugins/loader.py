# stand-in for plugin loader (load_all)
