# stand-in for src/accounts/service.py
