# stand-in for signup handler tests
