# stand-in: DB helper
