# stand-in for the file the fresh5 specs name: src/billing/utils.py
