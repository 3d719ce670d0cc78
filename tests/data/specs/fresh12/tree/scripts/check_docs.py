# stand-in for docs vs ROUTES checker
