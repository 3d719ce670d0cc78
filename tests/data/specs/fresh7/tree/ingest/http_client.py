# stand-in: fetch_json() HTTP client used by connectors
