# stand-in: connector scheduler
