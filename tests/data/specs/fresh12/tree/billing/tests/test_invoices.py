# stand-in for invoice tests
