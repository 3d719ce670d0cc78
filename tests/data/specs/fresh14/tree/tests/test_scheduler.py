# stand-in for test_scheduler (tests/test_scheduler.py)
