# stand-in for test_geo (tests/test_geo.py)
