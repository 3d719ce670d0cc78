# stand-in for CLI tests
