# stand-in for bucket cleanup tests
