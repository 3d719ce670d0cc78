# stand-in for src/config.py
