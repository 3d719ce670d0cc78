"""One run at a time per project, by an flock that the kernel drops when its holder dies.

The lock is a separate file opened close-on-exec, so agent children never inherit it and a crash
never leaves a stale lock. The holder writes who it is into the file, so a refused caller can say
who holds it.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.errors import ProjectBusy
from core.pids import own_start


class ProjectLock:
    """The project's flock, usable as a context manager; the descriptor is the lock, so it is held only here."""

    def __init__(self, path: Path, slug: str) -> None:
        self.path = path
        self.slug = slug
        self._fd: int | None = None

    def acquire(self, wait: float = 0.0, run_id: str | None = None) -> ProjectLock:
        """Take the lock, polling up to `wait` seconds; raises ProjectBusy naming the holder."""
        deadline = time.monotonic() + wait
        delay = 0.02
        while not self.try_acquire(run_id, final=time.monotonic() >= deadline):
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 0.5)
        return self

    async def acquire_async(self, wait: float = 0.0, run_id: str | None = None) -> ProjectLock:
        """`acquire` for a running event loop: each attempt's file work runs in a thread (core/offload.py) and the
        wait yields, so a signal can still cancel it; a cancel lets go of a lock its attempt had just taken."""
        import asyncio  # only dispatches wait on a loop; the read-only commands never load it

        from core.offload import in_thread

        deadline = time.monotonic() + wait
        delay = 0.02
        try:
            while not await in_thread(lambda: self.try_acquire(run_id, final=time.monotonic() >= deadline)):
                await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
                delay = min(delay * 2, 0.5)
        except asyncio.CancelledError:
            self.release()
            raise
        return self

    def try_acquire(self, run_id: str | None = None, final: bool = False) -> bool:
        """One attempt: True when taken; False when busy, or ProjectBusy when busy and `final`."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if final:
                raise ProjectBusy(
                    f"project '{self.slug}' is busy: {self.holder()}", "wait for it to finish, or pass --wait SECONDS"
                ) from None
            return False
        self._fd = fd
        self.describe(run_id)
        return True

    def describe(self, run_id: str | None, sole_run: bool = False) -> None:
        """Record who holds the lock, for the message a refused caller prints and for a cancel from elsewhere:
        the holder's start time tells its pid from a later process given the same number; `sole_run` says that
        SIGTERM to it stops this run and nothing else (a CLI run, not a server or console hosting many)."""
        if self._fd is None:
            return
        info = {
            "pid": os.getpid(),
            "pid_start": own_start(),
            "run_id": run_id,
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
            "sole_run": sole_run,
        }
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, json.dumps(info).encode(), 0)

    def info(self) -> dict[str, Any]:
        """What the holder wrote about itself ({} when nothing readable is there)."""
        try:
            info = json.loads(self.path.read_text() or "{}")
        except (OSError, ValueError):
            return {}
        return info if isinstance(info, dict) else {}

    def holder(self) -> str:
        info = self.info()
        if not info:
            return "held by another process"
        return f"held by pid {info.get('pid')}, run {info.get('run_id') or '(starting)'}, since {info.get('since')}"

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ProjectLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    @property
    def held(self) -> bool:
        return self._fd is not None


def is_locked(path: Path) -> bool:
    """Whether some process holds the lock now (used to tell a crashed run from a live one)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
