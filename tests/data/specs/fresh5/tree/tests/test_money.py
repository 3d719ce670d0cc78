# stand-in for the file the fresh5 specs name: tests/test_money.py
