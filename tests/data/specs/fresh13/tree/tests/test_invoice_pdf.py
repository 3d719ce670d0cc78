# stand-in for invoice PDF tests with make_invoice helper
