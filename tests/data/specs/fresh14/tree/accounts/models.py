# stand-in for models (accounts/models.py)
