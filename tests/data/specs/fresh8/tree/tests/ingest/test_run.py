stand-in for tests/ingest/test_run.py
