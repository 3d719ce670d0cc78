# stand-in: Invoice model
