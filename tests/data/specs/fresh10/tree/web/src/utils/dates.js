// stand-in for dates util
