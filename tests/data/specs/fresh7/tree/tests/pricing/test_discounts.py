# stand-in: tests for pricing discounts
