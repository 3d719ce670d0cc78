# stand-in for tools/cli.py
