# stand-in for test_proration (tests/test_proration.py)
