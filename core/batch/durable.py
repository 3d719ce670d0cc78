"""A batch reports an item only once what it wrote would survive a power cut: its index rows committed and its
run files fsynced. Items that finish close together are made durable together (one transaction, one round of
fsyncs), at most once per COMMIT_GAP_S; an item's files (its `part` of the group commit) are fsynced with its
end, not in the commit after its start, which its end rewrites anyway. The in-process runner holds one of these, and so does each worker process
of a multi-process batch (core/batch/procs.py), before it tells the parent that an item finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Generic, TypeVar

from core.audit.batched_index import STARTED_WAIT_S, BatchedIndexWriter
from core.fsutil import GroupCommit, Part
from core.offload import in_thread

COMMIT_GAP_S = 0.1
"""The least time between two group commits (index rows committed, written files fsynced): items that finish
meanwhile are made durable together, and each is reported only once it is."""

T = TypeVar("T")


class Committer(Generic[T]):
    """Finished things in, each handed to `report` once the group commit after it has run."""

    def __init__(
        self,
        index: BatchedIndexWriter,
        commit: GroupCommit,
        report: Callable[[T], None],
        warn: Callable[[str], None],
    ) -> None:
        self.index = index
        self.group = commit
        self.report = report
        self.warn = warn
        self._pending: list[T] = []
        self._parts: list[Part] = []
        self._ready = asyncio.Event()

    def part(self) -> AbstractContextManager[Part]:
        """Where the files of an item started within it are gathered (a task started inside inherits it)."""
        return self.group.part()

    def add(self, thing: T, part: Part | None = None) -> None:
        """`thing` has finished; `part`, what it wrote, is made durable before `report` hears of it."""
        self._pending.append(thing)
        if part is not None:
            self._parts.append(part)
        self._ready.set()

    async def loop(self) -> None:
        """A group commit whenever things have finished, at most one per COMMIT_GAP_S, and at least one per
        STARTED_WAIT_S, so a long run's started row reaches the index that late at most; runs until cancelled."""
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(STARTED_WAIT_S):
                    await self._ready.wait()
            self._ready.clear()
            began = time.monotonic()
            await self.commit()
            await asyncio.sleep(COMMIT_GAP_S - (time.monotonic() - began))

    async def commit(self) -> None:
        """Make what the finished things wrote durable (in a worker thread), then report them."""
        things, self._pending = self._pending, []
        parts, self._parts = self._parts, []
        try:
            warnings = await in_thread(lambda: self._sync(parts))
        finally:
            for thing in things:  # in_thread has waited for the sync even when cancelled
                self.report(thing)
        for warning in warnings:
            self.warn(warning)

    def _sync(self, parts: list[Part]) -> list[str]:
        warnings = [warning] if (warning := self.index.flush()) else []
        try:
            self.group.sync(parts)
        except OSError as exc:
            warnings.append(
                f"could not fsync the batch's run files ({exc}); they are written, but a power cut "
                "could lose the latest"
            )
        return warnings
