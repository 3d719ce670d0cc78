# stand-in for test_fit_model (tests/test_fit_model.py)
