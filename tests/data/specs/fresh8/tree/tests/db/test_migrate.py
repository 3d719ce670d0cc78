stand-in for tests/db/test_migrate.py
