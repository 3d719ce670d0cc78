# stand-in for src/notify/email.py
