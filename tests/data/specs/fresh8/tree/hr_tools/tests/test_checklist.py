stand-in for hr_tools/tests/test_checklist.py
