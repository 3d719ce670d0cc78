# stand-in for signup form handler
