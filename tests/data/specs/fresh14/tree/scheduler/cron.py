# stand-in for cron (scheduler/cron.py)
