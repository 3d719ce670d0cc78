stand-in for hr_tools/checklist.py
