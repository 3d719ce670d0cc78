# stand-in for invoice parser tests
