# stand-in for Django manage.py
