# stand-in for tests/common/test_utils.py
