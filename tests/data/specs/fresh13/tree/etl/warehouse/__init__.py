# stand-in for warehouse package
