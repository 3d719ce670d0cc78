# stand-in for physics tests
