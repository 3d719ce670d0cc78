# stand-in for the file the fresh5 specs name: src/ledger/money.py
