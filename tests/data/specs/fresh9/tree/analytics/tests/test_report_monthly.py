# stand-in for monthly report tests
