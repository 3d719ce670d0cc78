# stand-in for src/billing/invoice.py
