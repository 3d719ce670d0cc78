# stand-in for geo (lib/geo.py)
