# stand-in for settings tests
