# stand-in for fit_model (analysis/fit_model.py)
