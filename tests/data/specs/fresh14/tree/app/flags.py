# stand-in for flags (app/flags.py)
