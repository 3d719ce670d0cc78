# stand-in: sync tests (intermittently failing)
