# stand-in for src/geometry/shapes.py
