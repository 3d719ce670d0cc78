stand-in for tests/transforms/test_currency.py
