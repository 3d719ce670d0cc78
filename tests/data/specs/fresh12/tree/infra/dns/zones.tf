stand-in for terraform DNS zones
