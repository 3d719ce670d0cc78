# stand-in for tilemap tests
