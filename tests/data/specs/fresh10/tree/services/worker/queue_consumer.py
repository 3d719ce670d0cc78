# stand-in for the worker queue consumer
