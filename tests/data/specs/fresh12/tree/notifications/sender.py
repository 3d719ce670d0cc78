# stand-in for notifications sender using print()
