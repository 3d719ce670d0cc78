# stand-in for rate limiter tests
