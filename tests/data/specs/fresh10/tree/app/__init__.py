# stand-in for app package
