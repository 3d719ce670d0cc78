# stand-in for CSV order loader (load_orders, Order)
