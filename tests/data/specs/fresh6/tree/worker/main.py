# stand-in for worker/main.py
