# stand-in for pricing rules
