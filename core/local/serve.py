"""llama.cpp's own HTTP server from the prebuilt `xllamacpp` wheel, as a process of ours with llama-server's flags.

xllamacpp has no command line: its `Server` starts llama.cpp's C++ server (the same /health, /v1/models and
/v1/chat/completions) inside the Python process that creates it. This script is that process. It takes the
subset of llama-server's flags that `ServerSpec.argv` passes, so the manager runs it exactly as it runs a user's
own llama-server binary, and it stays up until SIGTERM. It is run by path, imports nothing from dispatch, and
prints failures as one line in the server log.
"""

from __future__ import annotations

import argparse
import signal
import sys


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="dispatch-local-server", description="llama.cpp's server (xllamacpp) with llama-server's flags"
    )
    parser.add_argument("--model", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--ctx-size", type=int, default=4096)
    parser.add_argument("--parallel", type=int, default=1)
    parser.add_argument("--alias", default="local")
    parser.add_argument("--no-repack", action="store_true")
    parser.add_argument("--no-webui", action="store_true")
    parser.add_argument("--offline", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    options = parse(argv)
    # Stop cleanly on TERM/INT: block them first so the server's own threads never take them.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    try:
        import xllamacpp
    except ImportError:
        print("error: the xllamacpp package is not installed in this Python", file=sys.stderr)
        return 1
    params = xllamacpp.CommonParams()
    params.model.path = options.model
    params.hostnames = [options.host]
    params.port = options.port
    params.n_ctx = options.ctx_size
    params.n_parallel = options.parallel
    params.cpuparams.n_threads = options.threads
    params.cpuparams_batch.n_threads = options.threads
    params.model_alias = {options.alias}
    params.no_extra_bufts = options.no_repack
    params.ui = not options.no_webui
    params.offline = options.offline
    try:
        server = xllamacpp.Server(params)
    except Exception as exc:  # the extension raises plain RuntimeError/ValueError for a bad model or a taken port
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"dispatch: serving on {server.listening_address}", file=sys.stderr, flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
