stand-in for db/migrate.py
