# stand-in for ingest reader
