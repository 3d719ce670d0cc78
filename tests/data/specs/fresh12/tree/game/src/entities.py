# stand-in for game entities
