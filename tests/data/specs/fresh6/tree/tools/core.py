# stand-in for tools/core.py
