# stand-in for Python API client (Client class, v1 methods)
