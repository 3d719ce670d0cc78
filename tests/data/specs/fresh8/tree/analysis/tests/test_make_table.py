stand-in for analysis/tests/test_make_table.py
