stand-in for CheckoutViewModel unit tests
