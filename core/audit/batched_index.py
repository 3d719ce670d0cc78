"""The index writes of many dispatches in one process (a batch), gathered and committed together.

Each run writes its index row twice (started, finished). Alone that is one short transaction each; 200 runs
finishing at once would be 400 commits fighting for SQLite's write lock. A batch hands the engine this
writer instead: rows wait in memory (the latest per run) and go in one transaction per flush, on one
connection. Losing the unflushed rows to a crash loses nothing: the files hold them, and the next open sees
the changed project.json and reads them back.
"""

from __future__ import annotations

import threading
from typing import Any

from core.audit.index_writer import IndexWriter


class BatchedIndexWriter:
    """Called like the engine's `RunIndex` (slug, records) -> warning; `flush()` commits what has gathered. Safe
    from any thread: the engine hands it rows from the worker threads that write the run files (core/offload.py)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        """Held for a moment around `pending`, so a run's thread never waits for a commit."""
        self.writing = threading.Lock()
        """Held around each commit, so a flush from the loop's thread and one from a worker never overlap."""
        self.pending: dict[str, dict[str, dict[str, Any]]] = {}
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
        """Commit every gathered row in one transaction; returns a warning (once) if the index refused."""
        with self.writing:
            return self._flush()

    def _flush(self) -> str | None:
        with self.lock:
            pending, self.pending = self.pending, {}
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

    def close(self) -> str | None:
        with self.writing:
            warning = self._flush()
            if self.index is not None:
                self.index.close()
                self.index = None
        return warning
