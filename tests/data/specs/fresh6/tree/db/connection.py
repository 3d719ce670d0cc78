# stand-in for db/connection.py
