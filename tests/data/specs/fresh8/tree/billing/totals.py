stand-in for billing/totals.py
