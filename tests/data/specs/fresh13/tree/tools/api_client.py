# stand-in for HTTP client with get_records
