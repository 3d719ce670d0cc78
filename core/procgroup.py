"""Child processes that can always be stopped, with nothing of theirs left behind.

Each child runs under core/reaper.py, in its own session: the reaper is a subreaper, so even a double-forked
daemon stays below it, and it sweeps every descendant when the child exits, when we close its lifeline (a
stop) or when we die (the kernel closes the lifeline; measured in RELIABILITY.md, nothing else survives a
SIGKILL of dispatch). Stopping is: close the lifeline, let the reaper TERM, wait and KILL, and as a backstop
KILL the group and any descendant still found through /proc.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
from pathlib import Path

from core.pids import alive
from core.reaper import descendants

GRACE = 3.0
"""Seconds between TERM and KILL."""


REAPER = Path(__file__).with_name("reaper.py")

_feeding: set[asyncio.Task[None]] = set()
"""Stdin writes in progress (held so they are not collected before they finish)."""
_lifelines: dict[int, int] = {}
"""Reaper pid -> the write end of its lifeline, which only this process holds."""


async def spawn(
    argv: list[str], cwd: Path, env: dict[str, str], stdin: bytes | None, grace: float = GRACE
) -> asyncio.subprocess.Process:
    """Start argv (never through a shell) under the reaper, in a new session; stdin gets `stdin` then EOF, or
    /dev/null. Raises FileNotFoundError when argv[0] cannot be found, as a direct exec would.

    The write goes on alongside the caller's reading: a child that never reads a prompt bigger than the pipe
    holds would otherwise block here, before any timeout watches it, and outlive the run once cancelled.
    """
    if shutil.which(argv[0], path=env.get("PATH", os.defpath)) is None and not os.access(argv[0], os.X_OK):
        raise FileNotFoundError(2, "No such file or directory", argv[0])
    read_end, write_end = os.pipe()
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-I",
            "-S",
            str(REAPER),
            str(read_end),
            str(grace),
            "--",
            *argv,
            cwd=str(cwd),
            env=env,
            start_new_session=True,
            pass_fds=(read_end,),
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except BaseException:
        os.close(write_end)
        raise
    finally:
        os.close(read_end)
    _lifelines[process.pid] = write_end
    if stdin is not None and process.stdin is not None:
        task = asyncio.ensure_future(_feed(process.stdin, stdin))
        _feeding.add(task)
        task.add_done_callback(_feeding.discard)
    return process


async def _feed(pipe: asyncio.StreamWriter, data: bytes) -> None:
    try:
        pipe.write(data)
        await pipe.drain()
    except (BrokenPipeError, ConnectionResetError):
        pass
    finally:
        pipe.close()


def signal_group(pgid: int, signum: int) -> bool:
    """Signal a whole process group; False when it is already gone (or not ours to signal)."""
    try:
        os.killpg(pgid, signum)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def release(process: asyncio.subprocess.Process) -> None:
    """Close the child's lifeline: its reaper then stops everything below it (TERM, its grace, KILL)."""
    if (fd := _lifelines.pop(process.pid, None)) is not None:
        os.close(fd)


async def stop(process: asyncio.subprocess.Process, grace: float = GRACE) -> None:
    """Stop the child and every descendant: the reaper sweeps them (TERM, `grace`, KILL); then, as a backstop,
    KILL the group and whatever is still found below the reaper. Safe after the child has exited on its own.
    """
    pgid = process.pid
    escaped = descendants(process.pid) if process.returncode is None else []
    release(process)
    await wait_exit(process, grace + 2.0)
    signal_group(pgid, signal.SIGKILL)
    for pid in [*escaped, *descendants(process.pid)]:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    await wait_exit(process, grace)
    await _gone(escaped, grace)
    # Close the transport now, while the loop runs: left to the garbage collector after asyncio.run() has closed
    # the loop, it printed "Exception ignored ... RuntimeError: Event loop is closed" on every stop.
    transport = getattr(process, "_transport", None)
    if transport is not None:
        transport.close()


async def wait_exit(process: asyncio.subprocess.Process, limit: float) -> int | None:
    """The child's exit status once it has exited, or None after `limit` seconds.

    Not `process.wait()`: on Python 3.11 that also waits for every pipe to close, so a grandchild still
    holding the child's stderr made it hang after the child itself had exited (measured here).
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while process.returncode is None and loop.time() < deadline:
        await asyncio.sleep(0.02)
    return process.returncode


async def _gone(pids: list[int], limit: float) -> None:
    """Wait (up to `limit`) until SIGKILLed descendants are really dead: delivery is asynchronous."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while any(alive(pid) for pid in pids) and loop.time() < deadline:
        await asyncio.sleep(0.02)
