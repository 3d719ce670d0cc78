stand-in for pipelines/export/export.py
