# stand-in: GET /tasks route
