"""Web research support for the `web` backend: search providers, a guarded fetcher, text extraction, citations."""
