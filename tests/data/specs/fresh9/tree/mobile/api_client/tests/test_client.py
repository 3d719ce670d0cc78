# stand-in for mobile API client tests
