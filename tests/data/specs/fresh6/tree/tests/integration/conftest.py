# stand-in for tests/integration/conftest.py
