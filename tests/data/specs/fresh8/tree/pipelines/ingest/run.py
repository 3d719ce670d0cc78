stand-in for pipelines/ingest/run.py
