stand-in for billing/tests/test_totals.py
