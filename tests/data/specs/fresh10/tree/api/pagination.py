# stand-in for cursor pagination
