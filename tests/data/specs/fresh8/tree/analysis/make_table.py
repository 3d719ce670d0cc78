stand-in for analysis/make_table.py
