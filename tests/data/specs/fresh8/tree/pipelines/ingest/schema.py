stand-in for pipelines/ingest/schema.py
