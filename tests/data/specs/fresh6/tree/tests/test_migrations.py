# stand-in for tests/test_migrations.py
