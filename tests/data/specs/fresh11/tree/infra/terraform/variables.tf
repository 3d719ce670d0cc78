# stand-in for staging terraform variables
