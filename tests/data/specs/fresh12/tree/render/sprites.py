# stand-in for sprite renderer
