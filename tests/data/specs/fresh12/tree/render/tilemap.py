# stand-in for TileMap renderer
