# stand-in: list_tasks repository function
