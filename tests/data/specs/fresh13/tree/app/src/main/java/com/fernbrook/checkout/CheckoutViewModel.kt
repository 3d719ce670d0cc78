stand-in for CheckoutViewModel with hard-coded flags
