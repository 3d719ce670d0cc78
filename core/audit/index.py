"""A rebuildable SQLite index over the run files, so list, status and search never scan every file.

The files under each project's `.dispatch-logs/` are the truth; this database (WAL, FTS5 over specs, results
and descriptions) holds nothing they don't, and is rebuilt when it is missing, corrupt or behind them.
"Behind" is decided per project from a fingerprint of project.json (inode, mtime, size): every run rewrites
that file atomically, so a project whose fingerprint differs is re-read, and only its new or still-running
result files are opened. Every write transaction starts with BEGIN IMMEDIATE: WAL and a busy timeout alone
still let parallel writers fail with "database is locked".
"""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar, overload

from core import paths
from core.audit import checker, migrations
from core.audit.store import LOGS, SLUG, Project
from core.errors import DispatchError, UsageError
from core.fsutil import read_json

BUSY_TIMEOUT_S = 30.0
TEXT_CAP = 200_000
"""Characters of a spec or result that are indexed; the file keeps the rest."""
VERIFY_EVERY_S = 24 * 3600
"""How often opening the index also starts the full FTS5 integrity check, in the background (`core.audit.checker`)."""
RANK_WINDOW = 5000
"""How many of the newest matches a search ranks (see `Index.search`)."""
MARK_START, MARK_END = "\u27e6", "\u27e7"
"""What a search snippet puts around each match: ⟦match⟧."""
SORTS = {"updated": "updated DESC, slug", "name": "slug", "cost": "cost_usd DESC, slug"}
COST_GROUPS = {"model": "coalesce(runs.model, '')", "tier": "coalesce(runs.tier, '')", "project": "runs.slug",
               "day": "substr(runs.started_at, 1, 10)"}
"""What `dispatch costs --by` groups spend by (a UTC day is the first ten characters of started_at)."""
_CORRUPT_CODES = {11, 26}
"""SQLITE_CORRUPT and SQLITE_NOTADB (primary result codes)."""
T = TypeVar("T")


@dataclass(frozen=True)
class ProjectRow:
    slug: str
    description: str
    created: str
    updated: str
    backend: str | None
    tier: str | None
    last_status: str | None
    last_run: str | None
    runs: int
    cost_usd: float
    input_tokens: int
    output_tokens: int
    review_verdict: str | None


@dataclass(frozen=True)
class RunRow:
    run_id: str
    slug: str
    kind: str
    status: str
    backend: str | None
    model: str | None
    tier: str | None
    task_type: str | None
    started_at: str | None
    duration_ms: int
    cost_usd: float | None
    input_tokens: int
    output_tokens: int
    session_id: str | None
    error: str | None
    reason: str | None
    audit_path: str
    parent_run_id: str | None
    verdict: str | None


@dataclass(frozen=True)
class SessionRow:
    session_id: str
    slug: str
    runs: int
    first_run: str
    last_run: str
    last_status: str


@dataclass(frozen=True)
class CostRow:
    key: str
    runs: int
    cost_usd: float
    input_tokens: int
    output_tokens: int


@dataclass(frozen=True)
class Hit:
    run: RunRow
    snippet: str
    rank: float
    """Higher is better (the negated bm25 score)."""


_PROJECT_COLUMNS = ", ".join(f.name for f in fields(ProjectRow))
_RUN_COLUMNS = ", ".join(f"runs.{f.name}" for f in fields(RunRow))
_RUN_WRITE = [f.name for f in fields(RunRow)] + ["spec", "result", "description"]


def is_corrupt(exc: BaseException) -> bool:
    """Whether an sqlite error means the file is damaged (rebuild it), not merely busy."""
    return isinstance(exc, sqlite3.DatabaseError) and (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in _CORRUPT_CODES


def _inode_of(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return None


def fingerprint(path: Path) -> str:
    """Cheap identity of a file's current content: every atomic rewrite changes the inode."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return ""
    return f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"


@overload
def normalize_since(value: str) -> str: ...
@overload
def normalize_since(value: None) -> None: ...
def normalize_since(value: str | None) -> str | None:
    """An ISO date or datetime as the UTC string the index compares against; a bad one is a usage error."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value).isoformat()
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat(timespec="milliseconds")
    except (ValueError, OverflowError):
        raise UsageError(f"--since {value!r} is not a date", "use YYYY-MM-DD or an ISO datetime like 2026-11-21T09:30") from None


def fts_query(text: str) -> str:
    """A user's words as an FTS5 query that cannot be a syntax error: each word quoted, `word*` a prefix."""
    terms = [f'"{word}"{"*" if star else ""}' for word, star in re.findall(r"(\w+)(\*?)", text)]
    if not terms:
        raise UsageError(f"nothing to search for in {text!r}", "give at least one word")
    return " ".join(terms)


class Index:
    """One connection to the index; open it per command (opening brings it up to date with the files)."""

    def __init__(self, path: Path, projects: Path) -> None:
        self.path = path
        self.projects_dir = projects
        self._conn: sqlite3.Connection | None = None
        self._inode = 0
        """The database file this connection opened; a rebuild removes only that one, never a newer one."""

    @classmethod
    def open(cls, path: Path | None = None, *, projects: Path | None = None, check: bool = True) -> Index:
        """Create or migrate the database, rebuild it if corrupt, and catch up with any project behind it.
        `check` lets it start the full integrity check in the background when the last one is over VERIFY_EVERY_S
        old; nothing waits on it. The engine's per-run write passes False (a run's end starts no process)."""
        index = cls(path or paths.index_path(), projects or paths.projects_dir())
        try:
            index._guarded(lambda: index._start(check))
        except (sqlite3.Error, OSError) as exc:
            index.close()
            raise DispatchError(f"the run index {index.path} cannot be opened: {exc}",
                                "check the disk and permissions, then run `dispatch reindex`") from None
        return index

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @property
    def conn(self) -> sqlite3.Connection:
        """The open connection; using a closed Index is a programming error, not a user's."""
        if self._conn is None:
            raise RuntimeError(f"the index {self.path} is used after close()")
        return self._conn

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- connection, migration, rebuild ------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._inode = _inode_of(self.path) or 0
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            migrations.migrate(conn)
            self._inode = os.stat(self.path).st_ino
        except BaseException:
            conn.close()
            raise
        return conn

    def _start(self, check: bool) -> None:
        if self._conn is None:
            self._conn = self._connect()
        if self._meta("verified_at") is None:
            self._set_meta("verified_at", str(time.time()))  # a new index: nothing in it to check yet
        elif check and self.checked_ago() > VERIFY_EVERY_S:
            checker.start(self.path, self.projects_dir)
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
            self._rebuild()
        return sound

    def _guarded(self, action: Callable[[], T]) -> T:
        """Run an action; if the database turns out to be damaged, rebuild it from the files and run it again.
        A long-lived holder (the console) whose file another process rebuilt moves to the new one first."""
        if self._conn is not None and _inode_of(self.path) != self._inode:
            self.close()
            self._conn = self._connect()
            self.sync()
        try:
            return action()
        except sqlite3.DatabaseError as exc:
            if not is_corrupt(exc):
                raise
        self._rebuild()
        return action()

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

    @contextmanager
    def _rebuild_lock(self) -> Iterator[None]:
        fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _rebuild(self) -> int:
        """Throw the database away and build a new one from the files; one process at a time does it."""
        self.close()
        with self._rebuild_lock():
            current = _inode_of(self.path)
            if current is None or current == self._inode:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._conn = self._connect()
            self._set_meta("verified_at", str(time.time()))
            return self.sync()

    def reindex(self) -> int:
        """Rebuild the whole index from the files; returns how many runs it holds."""
        self._rebuild()
        return self.count_runs()

    def _meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        with self._write():
            self.conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
                              "excluded.value", (key, value))

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
                if SLUG.match(entry.name) and (mark := fingerprint(Path(entry.path) / LOGS / "project.json")):
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
                    records.append(read_json(project.result_path(run_id)))
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
        self._guarded(lambda: self._record(prepared))

    def _record(self, prepared: list[tuple[str, dict[str, Any], str, list[dict[str, Any]]]]) -> None:
        with self._write():
            for slug, meta, mark, records in prepared:
                self._upsert(slug, meta, mark, records)

    def _upsert(self, slug: str, meta: dict[str, Any], mark: str, records: list[dict[str, Any]]) -> None:
        description = str(meta.get("description") or "")
        self.conn.execute(
            "INSERT INTO projects (slug, description, created, updated, backend, fingerprint) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (slug) DO UPDATE SET description = excluded.description, created = excluded.created, "
            "updated = excluded.updated, backend = excluded.backend, fingerprint = excluded.fingerprint",
            (slug, description, str(meta.get("created") or ""), str(meta.get("updated") or ""), meta.get("backend"),
             mark))
        self.conn.execute("UPDATE runs SET description = ? WHERE slug = ? AND description != ?",
                          (description, slug, description))
        placeholders = ", ".join("?" for _ in _RUN_WRITE)
        updates = ", ".join(f"{name} = excluded.{name}" for name in _RUN_WRITE if name not in ("slug", "run_id"))
        rows = [_run_values(slug, record, description) for record in records if record.get("run_id")]
        self.conn.executemany(f"INSERT INTO runs ({', '.join(_RUN_WRITE)}) VALUES ({placeholders}) "
                              f"ON CONFLICT (slug, run_id) DO UPDATE SET {updates}", rows)
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
            WHERE slug = :slug""", {"slug": slug})

    # -- queries -----------------------------------------------------------------------------------

    def projects(self, *, sort: str = "updated", limit: int | None = None) -> list[ProjectRow]:
        if sort not in SORTS:
            raise UsageError(f"unknown sort {sort!r}", f"use one of: {', '.join(SORTS)}")
        sql = f"SELECT {_PROJECT_COLUMNS} FROM projects ORDER BY {SORTS[sort]}"
        rows = self._guarded(lambda: self.conn.execute(sql + " LIMIT ?", (-1 if limit is None else limit,)).fetchall())
        return [ProjectRow(*row) for row in rows]

    def project(self, slug: str) -> ProjectRow | None:
        row = self._guarded(lambda: self.conn.execute(f"SELECT {_PROJECT_COLUMNS} FROM projects WHERE slug = ?",
                                                      (slug,)).fetchone())
        return ProjectRow(*row) if row else None

    def runs(self, slug: str | None = None, *, status: str | None = None, tier: str | None = None,
             since: str | None = None, limit: int = 50, offset: int = 0, session: str | None = None,
             reason: str | None = None) -> list[RunRow]:
        """Runs, newest first; `session` narrows to one session's turns, `reason` to why runs ended (verify_failed)."""
        where, params = _filters(slug, status, tier, since, session, reason)
        sql = (f"SELECT {_RUN_COLUMNS} FROM runs {where} ORDER BY runs.started_at DESC, runs.id DESC "
               f"LIMIT ? OFFSET ?")
        rows = self._guarded(lambda: self.conn.execute(sql, (*params, limit, offset)).fetchall())
        return [RunRow(*row) for row in rows]

    def count_runs(self, slug: str | None = None, *, status: str | None = None, tier: str | None = None,
                   since: str | None = None, session: str | None = None) -> int:
        where, params = _filters(slug, status, tier, since, session)
        return int(self._guarded(lambda: self.conn.execute(f"SELECT count(*) FROM runs {where}", params).fetchone()[0]))

    def spent(self, *, slug: str | None = None, since: str | None = None) -> float:
        """USD spent by the runs that match, for the budgets."""
        where, params = _filters(slug, None, None, since)
        sql = f"SELECT coalesce(sum(cost_usd), 0) FROM runs {where}"
        return float(self._guarded(lambda: self.conn.execute(sql, params).fetchone()[0]))

    def costs(self, by: str = "model", *, since: str | None = None) -> list[CostRow]:
        """Spend grouped by model, tier, project or UTC day, largest first (day: newest first)."""
        if by not in COST_GROUPS:
            raise UsageError(f"unknown grouping {by!r}", f"use one of: {', '.join(COST_GROUPS)}")
        where, params = _filters(None, None, None, since)
        order = "key DESC" if by == "day" else "3 DESC, key"
        sql = (f"SELECT {COST_GROUPS[by]} AS key, count(*), coalesce(sum(cost_usd), 0), sum(input_tokens), "
               f"sum(output_tokens) FROM runs {where} GROUP BY key ORDER BY {order}")
        return [CostRow(*row) for row in self._guarded(lambda: self.conn.execute(sql, params).fetchall())]

    def sessions(self, slug: str) -> list[SessionRow]:
        """The project's sessions (review runs excluded), newest first."""
        rows = self._guarded(lambda: self.conn.execute(
            "SELECT session_id, run_id, status FROM runs WHERE slug = ? AND session_id IS NOT NULL AND kind != 'review' "
            "ORDER BY started_at, id", (slug,)).fetchall())
        sessions: dict[str, SessionRow] = {}
        for session_id, run_id, status in rows:
            known = sessions.pop(session_id, None)
            sessions[session_id] = SessionRow(session_id, slug, (known.runs if known else 0) + 1,
                                              known.first_run if known else run_id, run_id, status)
        return list(reversed(sessions.values()))

    def search(self, query: str, *, limit: int = 20, project: str | None = None, status: str | None = None,
               since: str | None = None) -> list[Hit]:
        """Full text over specs, results and descriptions, best match first, each with a snippet.

        Ranking reads the newest RANK_WINDOW matches: a word found in more runs than that (a near stop-word at
        this scale) ranks among the recent ones, which keeps every search in tens of milliseconds at 100k runs.
        """
        words = f"{{spec result description}} : ({fts_query(query)})"
        facets = [f'"s{project.encode().hex()}"'] if project else []
        facets += [f'"t{status.encode().hex()}"'] if status else []
        match = f"{words} AND facets : ({' '.join(facets)})" if facets else words
        join, where, params = "", "", [match]
        if since is not None:
            # CROSS JOIN keeps the FTS scan outside: driving from the date index would run one MATCH per run.
            join, where = "CROSS JOIN runs ON runs.id = runs_fts.rowid", "AND runs.started_at >= ?"
            params.append(normalize_since(since))
        ranked_sql = (f"SELECT id, score FROM (SELECT runs_fts.rowid AS id, runs_fts.rank AS score FROM runs_fts {join} "
                      f"WHERE runs_fts MATCH ? {where} ORDER BY runs_fts.rowid DESC LIMIT {RANK_WINDOW}) "
                      f"ORDER BY score LIMIT ?")

        def run() -> list[Hit]:
            ranked = self.conn.execute(ranked_sql, (*params, limit)).fetchall()
            if not ranked:
                return []
            marks = ", ".join("?" for _ in ranked)
            rows = self.conn.execute(
                f"SELECT runs_fts.rowid, {_RUN_COLUMNS}, snippet(runs_fts, -1, '{MARK_START}', '{MARK_END}', '…', 16) "
                f"FROM runs_fts JOIN runs ON runs.id = runs_fts.rowid "
                f"WHERE runs_fts MATCH ? AND runs_fts.rowid IN ({marks})", (words, *(i for i, _ in ranked))).fetchall()
            found = {row[0]: row[1:] for row in rows}
            return [Hit(RunRow(*found[i][:-1]), " ".join(found[i][-1].split()), -float(score))
                    for i, score in ranked if i in found]

        return self._guarded(run)


def index_runs(slug: str, records: list[dict[str, Any]]) -> str | None:
    """Record runs in the index without ever failing the run: the files already hold it, so any error
    becomes a warning to show, and `dispatch reindex` (or the next open, which sees the project changed) repairs it."""
    try:
        with Index.open(check=False) as index:
            index.record_runs(slug, records)
    except Exception as exc:  # noqa: BLE001 - an index problem must never lose or fail a run
        return f"the run index was not updated ({type(exc).__name__}: {exc}); the run is saved, `dispatch reindex` repairs it"
    return None


def recover(project: Project) -> list[str]:
    """Mark runs a killed process left running as interrupted, and index them; returns messages for a person."""
    marked = project.recover()
    if not marked:
        return []
    records = []
    for run_id in marked:
        try:
            records.append(project.read_run(run_id))
        except (OSError, ValueError):
            continue
    messages = [f"marked {len(marked)} run(s) of '{project.slug}' interrupted (their process died): {', '.join(marked)}"]
    if warning := index_runs(project.slug, records):
        messages.append(warning)
    return messages


def _filters(slug: str | None, status: str | None, tier: str | None, since: str | None,
             session: str | None = None, reason: str | None = None) -> tuple[str, tuple[Any, ...]]:
    clauses, params = [], []
    for column, value in (("slug", slug), ("status", status), ("tier", tier), ("session_id", session),
                          ("reason", reason)):
        if value is not None:
            clauses.append(f"runs.{column} = ?")
            params.append(value)
    if since is not None:
        clauses.append("runs.started_at >= ?")
        params.append(normalize_since(since))
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)


def _run_values(slug: str, record: dict[str, Any], description: str) -> tuple[Any, ...]:
    usage = record.get("usage") or {}
    values = {
        "run_id": str(record["run_id"]), "slug": slug, "kind": record.get("kind") or "run",
        "status": str(record.get("status") or "error"), "backend": record.get("backend"), "model": record.get("model"),
        "tier": record.get("tier"), "task_type": record.get("task_type"), "started_at": record.get("started_at"),
        "duration_ms": int(record.get("duration_ms") or 0), "cost_usd": record.get("cost_usd"),
        "input_tokens": int(usage.get("input_tokens") or 0), "output_tokens": int(usage.get("output_tokens") or 0),
        "session_id": record.get("session_id"), "error": record.get("error"), "reason": record.get("reason"),
        "audit_path": str(record.get("audit_path") or ""), "parent_run_id": record.get("parent_run_id"),
        "verdict": record.get("verdict"), "spec": str(record.get("spec") or "")[:TEXT_CAP],
        "result": str(record.get("result") or "")[:TEXT_CAP], "description": description,
    }
    return tuple(values[name] for name in _RUN_WRITE)
