# stand-in for Scheduler with tick()
