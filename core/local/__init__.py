"""The built-in local model: llama.cpp's llama-server on 127.0.0.1, started, reused and stopped by dispatch itself.

`runtime` finds the server binary and the weights (both from registry packages, never a model hub);
`server` owns the one running server per DISPATCH_HOME (state file, start lock, health check, stop).
"""
