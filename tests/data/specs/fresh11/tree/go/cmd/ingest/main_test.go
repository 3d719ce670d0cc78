// stand-in for ingest command tests
