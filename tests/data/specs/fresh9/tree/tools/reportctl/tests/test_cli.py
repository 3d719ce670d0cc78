# stand-in for reportctl CLI tests
