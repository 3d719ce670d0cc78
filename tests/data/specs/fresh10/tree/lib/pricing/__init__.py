# stand-in for pricing package exports
