# stand-in for tests/integration/test_checkout.py
