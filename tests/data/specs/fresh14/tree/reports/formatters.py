# stand-in for formatters (reports/formatters.py)
