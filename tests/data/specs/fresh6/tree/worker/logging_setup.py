# stand-in for worker/logging_setup.py
