# stand-in: billing query tests
