# stand-in for invoice unit tests
