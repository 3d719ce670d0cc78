# stand-in for 0014_user_last_seen (accounts/migrations/0014_user_last_seen.py)
