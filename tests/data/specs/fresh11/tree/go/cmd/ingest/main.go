// stand-in for the ingest command entry point
