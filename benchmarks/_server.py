"""The fake model API in a child process, for benchmarks that time this interpreter: in a thread of the same
process its request handling takes this interpreter's lock, and the figure would time the server too."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def fake_openai(reply: str, setup: str = "") -> Iterator[str]:
    """Serve `reply` (the Python source of a `Reply`, after `setup` has run) until the block ends; its base URL."""
    source = (
        f"import sys\nfrom tests.fakes.openai_server import FakeOpenAI, Reply\n{setup}\n"
        f"with FakeOpenAI([{reply}]) as server:\n    print(server.base_url, flush=True)\n    sys.stdin.read()\n"
    )
    server = subprocess.Popen(
        [sys.executable, "-c", source], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        yield server.stdout.readline().strip()
    finally:
        if server.stdin is not None:
            server.stdin.close()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a server that does not stop is not left behind
            server.kill()
            server.wait()
