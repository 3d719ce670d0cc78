# stand-in: tests for ingest.http_client
