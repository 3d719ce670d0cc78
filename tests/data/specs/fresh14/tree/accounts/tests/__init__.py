# stand-in for __init__ (accounts/tests/__init__.py)
