# stand-in for load_orders tests
