# stand-in for importer/parse.py
