# stand-in for tax calculations
