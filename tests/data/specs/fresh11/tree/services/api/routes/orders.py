# stand-in for order routes calling the inventory service
