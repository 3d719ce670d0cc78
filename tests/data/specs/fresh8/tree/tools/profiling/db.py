stand-in for tools/profiling/db.py
