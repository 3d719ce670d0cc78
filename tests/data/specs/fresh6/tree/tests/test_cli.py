# stand-in for tests/test_cli.py
