# stand-in for src/common/utils.py
