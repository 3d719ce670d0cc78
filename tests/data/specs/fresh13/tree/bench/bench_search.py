# stand-in for search benchmark
