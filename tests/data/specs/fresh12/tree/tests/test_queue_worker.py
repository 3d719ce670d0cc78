# stand-in for queue worker tests
