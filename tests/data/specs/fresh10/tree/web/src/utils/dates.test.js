// stand-in for dates util tests
