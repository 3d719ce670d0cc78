# stand-in for the file the fresh5 specs name: src/gateway/http_client.py
