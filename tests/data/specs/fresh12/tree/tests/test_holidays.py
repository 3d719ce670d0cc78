# stand-in for holiday tests
