# stand-in for orders ETL loader (load_orders)
