# stand-in for invoice PDF renderer
