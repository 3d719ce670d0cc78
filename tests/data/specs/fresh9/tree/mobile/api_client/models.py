# stand-in for mobile API client models
