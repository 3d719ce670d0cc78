# stand-in for order export tests
