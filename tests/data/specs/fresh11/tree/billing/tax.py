# stand-in for VAT calculation module
