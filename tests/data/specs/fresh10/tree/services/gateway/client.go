// stand-in for gateway client
