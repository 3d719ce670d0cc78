# stand-in for API layer
