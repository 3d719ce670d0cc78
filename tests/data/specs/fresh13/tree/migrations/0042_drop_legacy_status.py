# stand-in for migration stub 0042
