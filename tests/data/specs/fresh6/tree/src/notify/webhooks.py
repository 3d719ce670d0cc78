# stand-in for src/notify/webhooks.py
