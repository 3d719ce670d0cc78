# stand-in for builder (reports/builder.py)
