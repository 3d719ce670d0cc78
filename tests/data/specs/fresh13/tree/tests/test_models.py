# stand-in for model tests
