# stand-in for invoice parser with parse_invoice
