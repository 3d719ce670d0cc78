# stand-in for tests/test_parse.py
