# stand-in for order loader
