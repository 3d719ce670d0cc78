# stand-in for tests/billing/test_invoice.py
