# stand-in for scripts/cleanup_tmp.py
