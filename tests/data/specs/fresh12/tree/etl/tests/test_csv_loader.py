# stand-in for CSV loader tests
