# stand-in for orders (api/routes/orders.py)
