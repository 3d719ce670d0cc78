# stand-in for the file the fresh5 specs name: scripts/cleanup_tmp.py
