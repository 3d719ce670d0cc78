"""The index writes of many dispatches in one process (a batch), gathered and committed together.

Each run writes its index row twice (started, finished). Alone that is one short transaction each; 200 runs
finishing at once would be 400 commits fighting for SQLite's write lock. A batch hands the engine this
writer instead: rows wait in memory (the latest per run) and go in one transaction per flush, on one
connection. Losing the unflushed rows to a crash loses nothing: the files hold them, and the next open sees
the changed project.json and reads them back.

A run's started row waits up to STARTED_WAIT_S when its project has nothing else to write: most batch items end
sooner, and their finished row then replaces it, one row and one full-text update instead of two; a run still
going gets its started row at the first flush after that (the batch flushes at least once per STARTED_WAIT_S,
core/batch/durable.py). A project with a row to write writes all it has, so the index never marks a project in
step with its files while holding one of its rows back.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from core.audit.index_writer import IndexWriter

STARTED_WAIT_S = 1.0
"""How long a run's started row may wait for its finished row (how late a run shows in the index as running)."""


class BatchedIndexWriter:
    """Called like the engine's `RunIndex` (slug, records) -> warning; `flush()` commits what has gathered. Safe
    from any thread: the engine hands it rows from the worker threads that write the run files (core/offload.py)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.lock = threading.Lock()
        """Held for a moment around `pending`, so a run's thread never waits for a commit."""
        self.writing = threading.Lock()
        """Held around each commit, so a flush from the loop's thread and one from a worker never overlap."""
        self.pending: dict[str, dict[str, dict[str, Any]]] = {}
        self.held: dict[str, float] = {}
        """Runs whose started row is waiting, and since when."""
        self.index: IndexWriter | None = None
        self.commits = 0
        self.warning: str | None = None
        """The last flush's failure, said once; the files keep every run either way."""

    def __call__(self, slug: str, records: list[dict[str, Any]]) -> str | None:
        with self.lock:
            runs = self.pending.setdefault(slug, {})
            for record in records:
                if record.get("run_id"):
                    runs[str(record["run_id"])] = record
        return None

    def flush(self) -> str | None:
        """Commit the gathered rows in one transaction (a new run's started row may wait, see the module
        docstring); returns a warning (once) if the index refused."""
        with self.writing:
            return self._flush(hold=True)

    def _flush(self, hold: bool = False) -> str | None:
        with self.lock:
            pending, self.pending = self.pending, {}
            if hold:
                now = self.clock()
                self.pending = {slug: runs for slug, runs in pending.items() if self._waits(runs, now)}
                for slug, runs in self.pending.items():
                    del pending[slug]
                    for run_id in runs:
                        self.held.setdefault(run_id, now)
            for runs in pending.values():
                for run_id in runs:
                    self.held.pop(run_id, None)
        if not pending:
            return None
        try:
            if self.index is None:
                self.index = IndexWriter.open()
            self.index.record_projects({slug: list(runs.values()) for slug, runs in pending.items()})
            self.commits += 1
        except Exception as exc:  # noqa: BLE001 - an index problem must never lose or fail a run
            first = self.warning is None
            self.warning = (
                f"the run index was not updated ({type(exc).__name__}: {exc}); the runs are saved, "
                "`dispatch reindex` repairs it"
            )
            return self.warning if first else None
        return None

    def _waits(self, runs: dict[str, dict[str, Any]], now: float) -> bool:
        """Whether a project's rows are only started rows that may wait longer."""
        return bool(runs) and all(
            row.get("status") == "running" and now - self.held.get(run_id, now) < STARTED_WAIT_S
            for run_id, row in runs.items()
        )

    def close(self) -> str | None:
        with self.writing:
            warning = self._flush()
            if self.index is not None:
                self.index.close()
                self.index = None
        return warning
