# stand-in for tilemap benchmark
