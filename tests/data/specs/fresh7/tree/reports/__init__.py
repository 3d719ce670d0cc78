# stand-in: reports package
