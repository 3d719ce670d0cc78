"""Which process is which, from /proc: a pid with its start time names one process for good.

Kept apart from core/procgroup.py (which loads asyncio) so the project lock, taken by read-only commands that
repair a dead runner's record, can say who holds it without loading the event loop.
"""

from __future__ import annotations

import os
from pathlib import Path


def process_start(pid: int) -> int | None:
    """When a process started, in clock ticks since boot (/proc/<pid>/stat field 22); None when it is gone. A pid
    the kernel reuses belongs to a process with a later start, so (pid, start) names one process for good."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat[stat.rfind(")") + 2:].split()[19])


_own_starts: dict[int, int | None] = {}


def own_start() -> int | None:
    """`process_start` of this process, read from /proc once: every lock a batch takes says it, and it never
    changes (a forked child has a pid of its own)."""
    pid = os.getpid()
    if pid not in _own_starts:
        _own_starts[pid] = process_start(pid)
    return _own_starts[pid]


def alive(pid: int) -> bool:
    """True while pid runs; a zombie (dead, not yet reaped by whoever adopted it) counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2:].split()[0] != "Z"
