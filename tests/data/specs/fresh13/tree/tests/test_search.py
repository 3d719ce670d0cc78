# stand-in for search tests
