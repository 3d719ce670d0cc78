# stand-in for scheduler tests
