# stand-in for health (worker/health.py)
