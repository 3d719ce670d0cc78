# stand-in for api package
