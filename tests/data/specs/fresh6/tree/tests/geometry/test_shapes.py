# stand-in for tests/geometry/test_shapes.py
