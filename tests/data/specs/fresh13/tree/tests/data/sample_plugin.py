# stand-in for sample user plugin
