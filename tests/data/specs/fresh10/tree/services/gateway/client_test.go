// stand-in for gateway client tests
