# stand-in for the file the fresh5 specs name: scripts/affected_accounts.py
