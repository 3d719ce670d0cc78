# stand-in for db (api/db.py)
