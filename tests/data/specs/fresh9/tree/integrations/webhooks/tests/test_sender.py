# stand-in for webhook sender tests
