# stand-in for app/reports/views.py
