# stand-in for legacy_orders (importers/legacy_orders.py)
