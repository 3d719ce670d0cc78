# stand-in for manage (manage.py)
