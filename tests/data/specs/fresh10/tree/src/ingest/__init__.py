# stand-in for ingest package
