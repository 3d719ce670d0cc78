# stand-in for invoice totals (compute_total)
