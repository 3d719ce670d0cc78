# stand-in for API ROUTES list
