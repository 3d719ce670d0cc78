# stand-in for token-bucket rate limiter (old wrapper style)
