# stand-in for test_lookup (tests/test_lookup.py)
