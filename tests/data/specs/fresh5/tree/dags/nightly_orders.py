# stand-in for the file the fresh5 specs name: dags/nightly_orders.py
