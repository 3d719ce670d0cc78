# stand-in for tests/exports/test_orders_csv.py
