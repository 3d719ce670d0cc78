# stand-in for src/timeutil/duration.py
