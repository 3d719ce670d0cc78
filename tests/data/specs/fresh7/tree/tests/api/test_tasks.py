# stand-in: tests for /tasks
