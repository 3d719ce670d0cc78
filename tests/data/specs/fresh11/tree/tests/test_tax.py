# stand-in for tax unit tests
