"""The index's writing side: create and migrate the database, catch up with the run files, record runs, and
rebuild from the files when the database is damaged or behind. One connection; every write transaction starts
with BEGIN IMMEDIATE (WAL and a busy timeout alone still let parallel writers fail with "database is locked").

"Behind" is decided per project from a fingerprint of project.json (inode, mtime, size): every run rewrites
that file atomically, so a project whose fingerprint differs is re-read, and only its new or still-running
result files are opened.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from core import paths
from core.audit import checker
from core.audit.index_db import RUN_WRITE, connect, inode_of, is_corrupt, recovering, run_values
from core.audit.store import LOGS, SLUG, Project
from core.errors import DispatchError

VERIFY_EVERY_S = 24 * 3600
"""How often opening the index also starts the full FTS5 integrity check, in the background (`core.audit.checker`)."""
Prepared = list[tuple[str, dict[str, Any], str, list[dict[str, Any]]]]
"""Runs to record, per project: slug, project.json, its fingerprint, the result records."""
RunIndexer = Callable[[str, list[dict[str, Any]]], "str | None"]
"""How a run's rows reach the index: a `RunIndex` by default, a batch's gathering writer in a batch; returns a
warning when the index could not take them."""


def fingerprint(path: Path) -> str:
    """Cheap identity of a file's current content: every atomic rewrite changes the inode."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return ""
    return f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"


def cannot_open(path: Path, exc: BaseException) -> DispatchError:
    if path.is_dir():  # `reindex` would fail on it the same way: say what to move instead
        return DispatchError(
            f"the run index {path} cannot be opened: it is a directory",
            "move it away; the index is rebuilt from the runs",
        )
    return DispatchError(
        f"the run index {path} cannot be opened: {exc}", "check the disk and permissions, then run `dispatch reindex`"
    )


class IndexWriter:
    """The one connection that changes the index; a closed writer's connection raises if used."""

    conn: sqlite3.Connection

    def __init__(self, path: Path, projects: Path) -> None:
        self.path = path
        self.projects_dir = projects
        self._inode = inode_of(path) or 0
        """The database file this writer opened; a rebuild removes only that one, never a newer one."""
        try:
            self.conn, self._inode = connect(path, migrate=True)
        except sqlite3.DatabaseError as exc:
            if not is_corrupt(exc):
                raise
            self._build()

    @classmethod
    def open(
        cls, path: Path | None = None, *, projects: Path | None = None, catch_up: bool = False, check: bool = False
    ) -> IndexWriter:
        """Create or migrate the database, rebuilding it if damaged. `catch_up` then reads every project behind it
        (what a reader's open needs; recording runs does not), and `check` lets that start the full integrity
        check in the background when the last one is over VERIFY_EVERY_S old; nothing waits on it."""
        path = path or paths.index_path()
        try:
            writer = cls(path, projects or paths.projects_dir())
        except (sqlite3.Error, OSError) as exc:
            raise cannot_open(path, exc) from None
        if catch_up:
            try:
                writer.start(check)
            except (sqlite3.Error, OSError) as exc:
                writer.close()
                raise cannot_open(path, exc) from None
        return writer

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> IndexWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- staying sound -----------------------------------------------------------------------------

    @recovering
    def start(self, check: bool) -> None:
        if self._meta("verified_at") is None:
            self._set_meta("verified_at", str(time.time()))  # a new index: nothing in it to check yet
        elif check and self.checked_ago() > VERIFY_EVERY_S:
            checker.start(self.path, self.projects_dir)
        self.sync()

    def follow_rebuild(self) -> None:
        """A long-lived holder (the console) whose file another process rebuilt moves to the new one."""
        if inode_of(self.path) != self._inode:
            self.conn.close()
            self.conn, self._inode = connect(self.path, migrate=True)
            self.sync()

    def checked_ago(self) -> float:
        """Seconds since the last full check passed (or the index was built)."""
        try:
            return time.time() - float(self._meta("verified_at") or 0)
        except ValueError:
            return float("inf")

    def check_now(self) -> bool:
        """The full check, with a rebuild from the files when it fails; returns whether the index was sound."""
        sound = self.verify()
        if sound:
            self._set_meta("verified_at", str(time.time()))
        else:
            self.rebuild()
        return sound

    def verify(self) -> bool:
        """The full check: SQLite's own, then FTS5's integrity-check with rank 1, which compares the index
        with its content (the plain check passes an index that no longer matches)."""
        try:
            if self.conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                return False
            with self._write():
                self.conn.execute("INSERT INTO runs_fts (runs_fts, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError:
            return False
        return True

    def rebuild(self) -> int:
        """Throw the database away and build a new one from the files; returns how many runs were read."""
        self.conn.close()
        return self._build()

    def _build(self) -> int:
        with self._rebuild_lock():  # one process at a time
            current = inode_of(self.path)
            if current is None or current == self._inode:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self.conn, self._inode = connect(self.path, migrate=True)
            self._set_meta("verified_at", str(time.time()))
            return self.sync()

    @contextmanager
    def _rebuild_lock(self) -> Iterator[None]:
        fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        with self._write():
            self.conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- keeping up with the files -----------------------------------------------------------------

    def sync(self) -> int:
        """Catch up with every project whose project.json changed since it was indexed; O(projects) stats."""
        on_disk = {}
        if self.projects_dir.is_dir():
            for entry in os.scandir(self.projects_dir):
                if SLUG.fullmatch(entry.name) and (mark := fingerprint(Path(entry.path) / LOGS / "project.json")):
                    on_disk[entry.name] = mark
        indexed = dict(self.conn.execute("SELECT slug, fingerprint FROM projects").fetchall())
        changed = 0
        for slug in indexed.keys() - on_disk.keys():
            with self._write():
                self.conn.execute("DELETE FROM runs WHERE slug = ?", (slug,))
                self.conn.execute("DELETE FROM projects WHERE slug = ?", (slug,))
        for slug, mark in on_disk.items():
            if indexed.get(slug) != mark:
                changed += self.sync_project(slug)
        return changed

    def sync_project(self, slug: str) -> int:
        """Re-read one project: its new result files and those the index still has as running."""
        project = Project(slug, self.projects_dir / slug)
        before = self._fingerprint_of(slug)
        mark = fingerprint(project.meta_path)
        meta = project.meta()
        on_disk = set(project.run_ids())
        indexed = dict(self.conn.execute("SELECT run_id, status FROM runs WHERE slug = ?", (slug,)).fetchall())
        records = []
        for run_id in sorted(on_disk):
            if indexed.get(run_id, "running") == "running":
                try:
                    records.append(project.read_run(run_id))
                except (OSError, ValueError):
                    continue
        with self._write():
            if self._fingerprint_of(slug) != before:
                return 0  # another process recorded this project meanwhile, from fresher files than ours
            for run_id in indexed.keys() - on_disk:
                self.conn.execute("DELETE FROM runs WHERE slug = ? AND run_id = ?", (slug, run_id))
            self._upsert(slug, meta, mark, records)
        return len(records)

    def _fingerprint_of(self, slug: str) -> str | None:
        row = self.conn.execute("SELECT fingerprint FROM projects WHERE slug = ?", (slug,)).fetchone()
        return row[0] if row else None

    def record_runs(self, slug: str, records: Iterable[dict[str, Any]]) -> None:
        """Upsert runs (result.json dicts) and refresh their project's row; the caller holds the project lock."""
        self.record_projects({slug: list(records)})

    def record_projects(self, records: dict[str, list[dict[str, Any]]]) -> None:
        """`record_runs` for several projects in one transaction: a batch's finishing runs are one commit."""
        prepared = []
        for slug, runs in records.items():
            project = Project(slug, self.projects_dir / slug)
            prepared.append((slug, project.meta(), fingerprint(project.meta_path), runs))
        self._record(prepared)

    @recovering
    def _record(self, prepared: Prepared) -> None:
        with self._write():
            for slug, meta, mark, records in prepared:
                self._upsert(slug, meta, mark, records)

    def _upsert(self, slug: str, meta: dict[str, Any], mark: str, records: list[dict[str, Any]]) -> None:
        description = str(meta.get("description") or "")
        self.conn.execute(
            "INSERT INTO projects (slug, description, created, updated, backend, fingerprint) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (slug) DO UPDATE SET description = excluded.description, created = excluded.created, "
            "updated = excluded.updated, backend = excluded.backend, fingerprint = excluded.fingerprint",
            (
                slug,
                description,
                str(meta.get("created") or ""),
                str(meta.get("updated") or ""),
                meta.get("backend"),
                mark,
            ),
        )
        placeholders = ", ".join("?" for _ in RUN_WRITE)
        updates = ", ".join(f"{name} = excluded.{name}" for name in RUN_WRITE if name not in ("slug", "run_id"))
        rows = [run_values(slug, record) for record in records if record.get("run_id")]
        self.conn.executemany(
            f"INSERT INTO runs ({', '.join(RUN_WRITE)}) VALUES ({placeholders}) "
            f"ON CONFLICT (slug, run_id) DO UPDATE SET {updates}",
            rows,
        )
        self.conn.execute(
            """UPDATE projects SET
                runs = (SELECT count(*) FROM runs WHERE slug = :slug),
                cost_usd = (SELECT coalesce(sum(cost_usd), 0) FROM runs WHERE slug = :slug),
                input_tokens = (SELECT coalesce(sum(input_tokens), 0) FROM runs WHERE slug = :slug),
                output_tokens = (SELECT coalesce(sum(output_tokens), 0) FROM runs WHERE slug = :slug),
                last_run = (SELECT run_id FROM runs WHERE slug = :slug ORDER BY started_at DESC, id DESC LIMIT 1),
                last_status = (SELECT status FROM runs WHERE slug = :slug ORDER BY started_at DESC, id DESC LIMIT 1),
                tier = (SELECT tier FROM runs WHERE slug = :slug AND kind != 'review'
                        ORDER BY started_at DESC, id DESC LIMIT 1),
                review_verdict = (SELECT verdict FROM runs WHERE slug = :slug AND kind = 'review' AND verdict IS NOT NULL
                                  ORDER BY started_at DESC, id DESC LIMIT 1),
                updated = max(updated, coalesce((SELECT max(started_at) FROM runs WHERE slug = :slug), ''))
            WHERE slug = :slug""",
            {"slug": slug},
        )


class RunIndex:
    """How the engine records its runs (started, then finished): one writer, opened at the first row and kept
    for the engine's life, so a run neither reopens nor migrates the database, and catches up only its own
    project (other projects' changes are the next reader's to catch up). That catch-up comes first, because
    recording stamps the project as in step: a run whose row an earlier write failed to record (this process's
    or another's) is read back from its file before then. Never fails a run: any error becomes a warning to
    show, and `dispatch reindex` (or the next write or open, which sees the project changed) repairs it."""

    def __init__(self) -> None:
        self._writer: IndexWriter | None = None
        self._lock = threading.Lock()
        """A console's runs and its batch threads may share the engine; a connection takes one writer at a time."""

    def __call__(self, slug: str, records: list[dict[str, Any]]) -> str | None:
        try:
            with self._lock:
                writer = self._open()
                writer.sync_project(slug)
                writer.record_runs(slug, records)
        except Exception as exc:  # noqa: BLE001 - an index problem must never lose or fail a run
            self.close()
            return (
                f"the run index was not updated ({type(exc).__name__}: {exc}); the run is saved, "
                "`dispatch reindex` repairs it"
            )
        return None

    def _open(self) -> IndexWriter:
        """The kept writer, reopened when the index has moved (a test, or a changed DISPATCH_HOME)."""
        path, projects = paths.index_path(), paths.projects_dir()
        if self._writer is not None and (self._writer.path, self._writer.projects_dir) != (path, projects):
            self.close()
        if self._writer is None:
            self._writer = IndexWriter.open(path, projects=projects)
        return self._writer

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def index_runs(slug: str, records: list[dict[str, Any]]) -> str | None:
    """Record runs once, from a process that keeps no engine (a command marking dead runs)."""
    once = RunIndex()
    try:
        return once(slug, records)
    finally:
        once.close()


def recover(project: Project, index: RunIndexer = index_runs, everywhere: bool = False) -> list[str]:
    """Mark runs a killed process left running as interrupted, and index them; returns messages for a person."""
    marked = project.recover(everywhere)
    if not marked:
        return []
    records = []
    for run_id in marked:
        try:
            records.append(project.read_run(run_id))
        except (OSError, ValueError):
            continue
    messages = [
        f"marked {len(marked)} run(s) of '{project.slug}' interrupted (their process died): {', '.join(marked)}"
    ]
    if warning := index(project.slug, records):
        messages.append(warning)
    return messages
