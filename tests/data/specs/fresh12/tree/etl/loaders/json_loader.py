# stand-in for JSON order loader
