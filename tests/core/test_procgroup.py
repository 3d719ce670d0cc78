"""Child processes (core/procgroup.py): started under the reaper, fed their stdin, and stopped with nothing left."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from core.procgroup import alive, spawn, stop, wait_exit

DAEMON = """
import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        print(os.getpid(), flush=True)
        time.sleep(300)
    os._exit(0)
print(os.getpid(), flush=True)
time.sleep(300)
"""


async def gone(pids: list[int], limit: float = 30.0) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while any(alive(pid) for pid in pids):
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def test_stdin_reaches_the_child_and_its_exit_status_comes_back(tmp_path: Path) -> None:
    process = await spawn(["cat"], tmp_path, dict(os.environ), b"spec text\n" * 10_000)
    assert process.stdout is not None
    out = await process.stdout.read()
    assert out == b"spec text\n" * 10_000, "a prompt bigger than the pipe holds is written whole"
    assert await wait_exit(process, 30.0) == 0
    await stop(process)


async def test_a_missing_binary_is_file_not_found_before_anything_starts(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        await spawn(["no-such-binary-here"], tmp_path, dict(os.environ), None)


async def test_stop_leaves_no_descendant_even_a_double_forked_daemon(tmp_path: Path) -> None:
    process = await spawn([sys.executable, "-c", DAEMON], tmp_path, dict(os.environ), None)
    assert process.stdout is not None
    pids = [int(await process.stdout.readline()) for _ in range(2)]
    assert all(alive(pid) for pid in pids)
    await stop(process, grace=1.0)
    assert process.returncode is not None
    assert await gone(pids), f"still alive: {[pid for pid in pids if alive(pid)]}"


async def test_stop_after_the_child_exited_on_its_own_is_safe(tmp_path: Path) -> None:
    process = await spawn(["true"], tmp_path, dict(os.environ), None)
    assert await wait_exit(process, 30.0) == 0
    await stop(process)
    assert process.returncode == 0
