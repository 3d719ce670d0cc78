# stand-in for proration (billing/proration.py)
