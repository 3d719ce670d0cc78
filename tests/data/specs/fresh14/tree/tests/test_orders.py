# stand-in for test_orders (tests/test_orders.py)
