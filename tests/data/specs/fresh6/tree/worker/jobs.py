# stand-in for worker/jobs.py
