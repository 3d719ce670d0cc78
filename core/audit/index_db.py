"""What the index's reader and writer share: the rows it holds, how a result file becomes one, and how a
connection to the database is made and told damaged from busy.

Every connection waits up to BUSY_TIMEOUT_S for a lock (WAL and a busy timeout: readers never block the writer).
"""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from core.audit import migrations

BUSY_TIMEOUT_S = 30.0
TEXT_CAP = 200_000
"""Characters of a spec or result that are indexed; the file keeps the rest."""
_CORRUPT_CODES = {11, 26}
"""SQLITE_CORRUPT and SQLITE_NOTADB (primary result codes)."""


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


PROJECT_COLUMNS = ", ".join(f.name for f in fields(ProjectRow))
RUN_COLUMNS = ", ".join(f"runs.{f.name}" for f in fields(RunRow))
RUN_WRITE = [f.name for f in fields(RunRow)] + ["spec", "result", "description"]


def run_values(slug: str, record: dict[str, Any]) -> tuple[Any, ...]:
    """A run's row; its text columns hold only this run's own words (its spec, its result, the --desc given with
    it), so a search for one run's words never returns the project's other runs."""
    usage = record.get("usage") or {}
    values = {
        "run_id": str(record["run_id"]),
        "slug": slug,
        "kind": record.get("kind") or "run",
        "status": str(record.get("status") or "error"),
        "backend": record.get("backend"),
        "model": record.get("model"),
        "tier": record.get("tier"),
        "task_type": record.get("task_type"),
        "started_at": record.get("started_at"),
        "duration_ms": int(record.get("duration_ms") or 0),
        "cost_usd": record.get("cost_usd"),
        "input_tokens": int(usage.get("input_tokens") or 0),
        "output_tokens": int(usage.get("output_tokens") or 0),
        "session_id": record.get("session_id"),
        "error": record.get("error"),
        "reason": record.get("reason"),
        "audit_path": str(record.get("audit_path") or ""),
        "parent_run_id": record.get("parent_run_id"),
        "verdict": record.get("verdict"),
        "spec": str(record.get("spec") or "")[:TEXT_CAP],
        "result": str(record.get("result") or "")[:TEXT_CAP],
        "description": str(record.get("description") or ""),
    }
    return tuple(values[name] for name in RUN_WRITE)


def is_corrupt(exc: BaseException) -> bool:
    """Whether an sqlite error means the file is damaged (rebuild it), not merely busy."""
    return isinstance(exc, sqlite3.DatabaseError) and (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in _CORRUPT_CODES


def inode_of(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return None


def connect(path: Path, *, migrate: bool) -> tuple[sqlite3.Connection, int]:
    """A connection in WAL mode with the busy timeout, and the inode of the file it opened (a rebuild replaces
    the file, which is how a holder notices). The writer migrates; a reader opens what the writer made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        if migrate:
            migrations.migrate(conn)
        inode = os.stat(path).st_ino
    except BaseException:
        conn.close()
        raise
    return conn, inode


class Recoverable(Protocol):
    def follow_rebuild(self) -> None: ...
    def rebuild(self) -> object: ...


H = TypeVar("H", bound=Recoverable)
P = ParamSpec("P")
T = TypeVar("T")


def recovering(action: Callable[Concatenate[H, P], T]) -> Callable[Concatenate[H, P], T]:
    """Declares that an index action survives damage: first it moves to a file another process rebuilt, and if
    the database turns out damaged, it is rebuilt from the run files and the action runs once more."""

    @functools.wraps(action)
    def run(holder: H, /, *args: P.args, **kwargs: P.kwargs) -> T:
        holder.follow_rebuild()
        try:
            return action(holder, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            if not is_corrupt(exc):
                raise
        holder.rebuild()
        return action(holder, *args, **kwargs)

    return run
