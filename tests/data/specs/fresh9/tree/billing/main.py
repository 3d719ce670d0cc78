# stand-in for billing entry point calling parse_invoice
