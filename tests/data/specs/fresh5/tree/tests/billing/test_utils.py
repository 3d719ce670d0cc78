# stand-in for the file the fresh5 specs name: tests/billing/test_utils.py
