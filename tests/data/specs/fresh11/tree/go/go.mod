// stand-in for the go module file
