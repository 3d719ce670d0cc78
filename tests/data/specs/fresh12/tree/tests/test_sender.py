# stand-in for sender tests
