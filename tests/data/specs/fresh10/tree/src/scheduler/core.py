# stand-in for scheduler core
