# stand-in for invoice PDF renderer (render_invoice)
