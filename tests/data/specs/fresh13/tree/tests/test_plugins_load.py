# stand-in for plugin loading tests
