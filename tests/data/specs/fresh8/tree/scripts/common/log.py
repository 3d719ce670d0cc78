stand-in for scripts/common/log.py
