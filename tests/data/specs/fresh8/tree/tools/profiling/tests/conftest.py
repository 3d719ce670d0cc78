stand-in for tools/profiling/tests/conftest.py
