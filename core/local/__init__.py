"""The built-in local model: llama.cpp's llama-server on 127.0.0.1, started, reused and stopped by dispatch itself.

`runtime` finds the server binary and the weights (both from registry packages, never a model hub);
`server` owns the one running server per DISPATCH_HOME (state file, start lock, health check, stop).
"""

OPTIONS = frozenset({"gguf", "weights", "threads", "repeat_penalty"})
"""The keys a [models.NAME] table of backend "local" may hold beside the common ones (runtime, server, and the
backend read them); any other is a typo, refused when the config is read."""
