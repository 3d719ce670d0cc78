"""Which process is which, from /proc: a pid with its start time names one process for good.

Kept apart from core/procgroup.py (which loads asyncio) so the project lock, taken by read-only commands that
repair a dead runner's record, can say who holds it without loading the event loop.
"""

from __future__ import annotations

import os


def stat_fields(pid: int) -> list[str] | None:
    """/proc/<pid>/stat's fields after the command name (state first, then the parent pid, ...); None when the
    process is gone. The name is skipped by its last `)`: it may hold spaces, brackets or bytes that are not UTF-8."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as handle:
            stat = handle.read()
    except OSError:
        return None
    return stat[stat.rfind(")") + 2 :].split()


def process_start(pid: int) -> int | None:
    """When a process started, in clock ticks since boot (/proc/<pid>/stat field 22); None when it is gone. A pid
    the kernel reuses belongs to a process with a later start, so (pid, start) names one process for good."""
    fields = stat_fields(pid)
    return int(fields[19]) if fields is not None else None


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
    fields = stat_fields(pid)
    return fields is not None and fields[0] != "Z"
