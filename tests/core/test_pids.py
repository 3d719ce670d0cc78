"""core/pids.py against real processes: a name that is not UTF-8 (any process may set one) still reads."""

from __future__ import annotations

import subprocess
import sys

from core import pids

RENAMED = (
    "import ctypes, sys; ctypes.CDLL(None).prctl(15, b'\\xff\\xfe) x', 0, 0, 0); "
    "print('ready', flush=True); sys.stdin.read()"
)
"""PR_SET_NAME (15) with bytes that are not UTF-8 and a `)` inside, then wait for stdin to close."""


def test_a_process_named_with_bytes_that_are_not_utf8_is_alive_with_a_start_time() -> None:
    child = subprocess.Popen([sys.executable, "-c", RENAMED], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None and child.stdout.readline() == b"ready\n"
        with open(f"/proc/{child.pid}/comm", "rb") as handle:
            assert handle.read().startswith(b"\xff\xfe)"), "the child renamed itself"
        assert pids.alive(child.pid)
        start = pids.process_start(child.pid)
        assert start is not None and start >= (pids.own_start() or 0)
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)
    assert not pids.alive(child.pid) and pids.process_start(child.pid) is None
