"""Child processes that can always be stopped: each starts in its own session, and stopping it means TERM to
the group, a grace period, KILL to the group, then a sweep of descendants that escaped the group.

Measured in RELIABILITY.md: a grandchild that calls setsid leaves the group, so a group kill alone can leave
it running; the descendants are found through /proc before the group is signalled (Linux; elsewhere the
sweep is a no-op and the group kill is all there is).
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

GRACE = 3.0
"""Seconds between TERM and KILL."""


_feeding: set[asyncio.Task[None]] = set()
"""Stdin writes in progress (held so they are not collected before they finish)."""


async def spawn(argv: list[str], cwd: Path, env: dict[str, str], stdin: bytes | None) -> asyncio.subprocess.Process:
    """Start argv (never through a shell) in a new session; stdin gets `stdin` then EOF, or /dev/null.

    The write goes on alongside the caller's reading: a child that never reads a prompt bigger than the pipe
    holds would otherwise block here, before any timeout watches it, and outlive the run once cancelled.
    """
    process = await asyncio.create_subprocess_exec(
        *argv, cwd=str(cwd), env=env, start_new_session=True,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
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


def descendants(pid: int) -> list[int]:
    """Every living descendant of pid, found by walking parent links in /proc."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry))
    found: list[int] = []
    pending = [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def signal_group(pgid: int, signum: int) -> bool:
    """Signal a whole process group; False when it is already gone (or not ours to signal)."""
    try:
        os.killpg(pgid, signum)
        return True
    except (ProcessLookupError, PermissionError):
        return False


async def stop(process: asyncio.subprocess.Process, grace: float = GRACE) -> None:
    """TERM the child's group, wait up to `grace`, KILL the group, then KILL any descendant that escaped it.

    Also safe after the child has exited on its own: whatever it left in its group is stopped.
    """
    pgid = process.pid
    escaped = descendants(process.pid) if process.returncode is None else []
    if process.returncode is None:
        signal_group(pgid, signal.SIGTERM)
        await wait_exit(process, grace)
    signal_group(pgid, signal.SIGKILL)
    for pid in escaped:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    await wait_exit(process, grace)
    await _gone(escaped, grace)


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


def alive(pid: int) -> bool:
    """True while pid runs; a zombie (dead, not yet reaped by whoever adopted it) counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2:].split()[0] != "Z"


async def _gone(pids: list[int], limit: float) -> None:
    """Wait (up to `limit`) until SIGKILLed descendants are really dead: delivery is asynchronous."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while any(alive(pid) for pid in pids) and loop.time() < deadline:
        await asyncio.sleep(0.02)
