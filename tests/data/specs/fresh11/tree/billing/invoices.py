# stand-in for invoice building and line-level VAT display
