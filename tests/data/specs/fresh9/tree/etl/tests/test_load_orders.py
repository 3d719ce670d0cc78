# stand-in for order loader tests
