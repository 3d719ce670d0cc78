# stand-in for pricing discounts
