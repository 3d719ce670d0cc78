# stand-in for ingest normalizer
