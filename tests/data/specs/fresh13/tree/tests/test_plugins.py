# stand-in for plugin tests
