stand-in for billing/migrations/0001_initial.py
