# stand-in for src/exports/orders_csv.py
