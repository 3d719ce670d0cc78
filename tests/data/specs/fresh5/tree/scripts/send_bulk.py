# stand-in for the file the fresh5 specs name: scripts/send_bulk.py
