# stand-in: discount functions
