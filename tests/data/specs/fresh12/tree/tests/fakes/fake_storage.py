# stand-in for fake storage for tests
