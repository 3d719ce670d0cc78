# stand-in for lookup (geo/lookup.py)
