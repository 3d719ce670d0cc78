# stand-in for game physics step(world, dt)
