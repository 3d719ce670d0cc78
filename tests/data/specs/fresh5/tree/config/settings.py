# stand-in for the file the fresh5 specs name: config/settings.py
