# stand-in for test_reports (tests/test_reports.py)
