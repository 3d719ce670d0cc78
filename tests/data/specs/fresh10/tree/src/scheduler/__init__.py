# stand-in for scheduler package
