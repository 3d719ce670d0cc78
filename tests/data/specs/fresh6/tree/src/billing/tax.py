# stand-in for src/billing/tax.py
