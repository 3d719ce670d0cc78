# stand-in for SearchIndex build/query
