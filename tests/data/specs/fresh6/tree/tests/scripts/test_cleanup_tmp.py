# stand-in for tests/scripts/test_cleanup_tmp.py
