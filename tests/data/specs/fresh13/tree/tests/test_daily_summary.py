# stand-in for daily summary tests
