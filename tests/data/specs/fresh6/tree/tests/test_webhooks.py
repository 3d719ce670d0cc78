# stand-in for tests/test_webhooks.py
