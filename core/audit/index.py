"""A rebuildable SQLite index over the run files, so list, status and search never scan every file.

The files under each project's `.dispatch-logs/` are the truth; this database (WAL, FTS5 over specs, results
and descriptions) holds nothing they don't, and is rebuilt when it is missing, corrupt or behind them. This
module is its reading side, the queries; `core.audit.index_writer` keeps it up to date and rebuilds it.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, overload

from core.audit.index_db import (
    PROJECT_COLUMNS,
    RUN_COLUMNS,
    CostRow,
    Hit,
    ProjectRow,
    RunRow,
    SessionRow,
    connect,
    inode_of,
    recovering,
)
from core.audit.index_writer import IndexWriter, cannot_open
from core.errors import UsageError

__all__ = ["CostRow", "Hit", "Index", "ProjectRow", "RunRow", "SessionRow", "fts_query", "normalize_since"]
"""The rows are what the queries return, so they are named here too."""

RANK_WINDOW = 5000
"""How many of the newest matches a search ranks (see `Index.search`)."""
MARK_START, MARK_END = "\u27e6", "\u27e7"
"""What a search snippet puts around each match: ⟦match⟧."""
SORTS = {"updated": "updated DESC, slug", "name": "slug", "cost": "cost_usd DESC, slug"}
COST_GROUPS = {
    "model": "coalesce(runs.model, '')",
    "tier": "coalesce(runs.tier, '')",
    "project": "runs.slug",
    "day": "substr(runs.started_at, 1, 10)",
}
"""What `dispatch costs --by` groups spend by (a UTC day is the first ten characters of started_at)."""


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
        raise UsageError(
            f"--since {value!r} is not a date", "use YYYY-MM-DD or an ISO datetime like 2026-11-21T09:30"
        ) from None


def date_tokens(since: str, newest: str) -> list[str]:
    """The fewest facet tokens (migration 4: y2026, m202611, d20261121) that cover every run started from the
    day before `since` (a start written with another UTC offset can read a day early; year 1's first day has none
    before it) to `newest`'s year: the rest of that month by day, the rest of its year by month, then whole years."""
    day = date.fromisoformat(since[:10])
    start = day - timedelta(days=1) if day > date.min else day
    month_end = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    days = [start + timedelta(days=n) for n in range((month_end - start).days)]
    tokens = [f'"d{day:%Y%m%d}"' for day in days]
    tokens += [f'"m{start.year}{month:02d}"' for month in range(start.month + 1, 13)]
    last = int(newest[:4]) if newest[:4].isdigit() else start.year
    tokens += [f'"y{year}"' for year in range(start.year + 1, last + 1)]
    return tokens


def fts_query(text: str) -> str:
    """A user's words as an FTS5 query that cannot be a syntax error: each word quoted, `word*` a prefix."""
    terms = [f'"{word}"{"*" if star else ""}' for word, star in re.findall(r"(\w+)(\*?)", text)]
    if not terms:
        raise UsageError(f"nothing to search for in {text!r}", "give at least one word")
    return " ".join(terms)


class Index:
    """The queries, on a connection of their own. Open it per command: opening first brings the index up to
    date through its `writer`, which it keeps for catching up later (the console) and for rebuilding."""

    def __init__(self, writer: IndexWriter) -> None:
        self.writer = writer
        self.path = writer.path
        self.conn, self._inode = connect(self.path, migrate=False)

    @classmethod
    def open(cls, path: Path | None = None, *, projects: Path | None = None, check: bool = True) -> Index:
        """Create or migrate the database, rebuild it if corrupt, and catch up with any project behind it.
        `check` lets it start the full integrity check in the background when the last one is over VERIFY_EVERY_S
        old; nothing waits on it."""
        writer = IndexWriter.open(path, projects=projects, catch_up=True, check=check)
        try:
            return cls(writer)
        except (sqlite3.Error, OSError) as exc:
            writer.close()
            raise cannot_open(writer.path, exc) from None

    def close(self) -> None:
        self.conn.close()
        self.writer.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def follow_rebuild(self) -> None:
        """Move to the file a rebuild put in place (this process's writer or another's)."""
        if inode_of(self.path) != self._inode:
            self.writer.follow_rebuild()
            self._reconnect()

    def rebuild(self) -> int:
        """Rebuild the database from the files; returns how many runs were read."""
        self.conn.close()
        read = self.writer.rebuild()
        self._reconnect()
        return read

    def _reconnect(self) -> None:
        self.conn.close()
        self.conn, self._inode = connect(self.path, migrate=False)

    def reindex(self) -> int:
        """Rebuild the whole index from the files; returns how many runs it holds."""
        self.rebuild()
        return self.count_runs()

    # -- queries -----------------------------------------------------------------------------------

    @recovering
    def projects(self, *, sort: str = "updated", limit: int | None = None) -> list[ProjectRow]:
        if sort not in SORTS:
            raise UsageError(f"unknown sort {sort!r}", f"use one of: {', '.join(SORTS)}")
        sql = f"SELECT {PROJECT_COLUMNS} FROM projects ORDER BY {SORTS[sort]} LIMIT ?"
        return [ProjectRow(*row) for row in self.conn.execute(sql, (-1 if limit is None else limit,)).fetchall()]

    @recovering
    def project(self, slug: str) -> ProjectRow | None:
        row = self.conn.execute(f"SELECT {PROJECT_COLUMNS} FROM projects WHERE slug = ?", (slug,)).fetchone()
        return ProjectRow(*row) if row else None

    @recovering
    def runs(
        self,
        slug: str | None = None,
        *,
        status: str | None = None,
        tier: str | None = None,
        since: str | None = None,
        limit: int = 50,
        offset: int = 0,
        session: str | None = None,
        reason: str | None = None,
    ) -> list[RunRow]:
        """Runs, newest first; `session` narrows to one session's turns, `reason` to why runs ended (verify_failed)."""
        where, params = _filters(slug, status, tier, since, session, reason)
        sql = f"SELECT {RUN_COLUMNS} FROM runs {where} ORDER BY runs.started_at DESC, runs.id DESC LIMIT ? OFFSET ?"
        return [RunRow(*row) for row in self.conn.execute(sql, (*params, limit, offset)).fetchall()]

    @recovering
    def count_runs(
        self,
        slug: str | None = None,
        *,
        status: str | None = None,
        tier: str | None = None,
        since: str | None = None,
        session: str | None = None,
    ) -> int:
        where, params = _filters(slug, status, tier, since, session)
        return int(self.conn.execute(f"SELECT count(*) FROM runs {where}", params).fetchone()[0])

    @recovering
    def spent(self, *, slug: str | None = None, since: str | None = None) -> float:
        """USD spent by the runs that match, for the budgets."""
        where, params = _filters(slug, None, None, since)
        return float(self.conn.execute(f"SELECT coalesce(sum(cost_usd), 0) FROM runs {where}", params).fetchone()[0])

    @recovering
    def costs(self, by: str = "model", *, since: str | None = None) -> list[CostRow]:
        """Spend grouped by model, tier, project or UTC day, largest first (day: newest first)."""
        if by not in COST_GROUPS:
            raise UsageError(f"unknown grouping {by!r}", f"use one of: {', '.join(COST_GROUPS)}")
        where, params = _filters(None, None, None, since)
        order = "key DESC" if by == "day" else "3 DESC, key"
        sql = (
            f"SELECT {COST_GROUPS[by]} AS key, count(*), coalesce(sum(cost_usd), 0), sum(input_tokens), "
            f"sum(output_tokens) FROM runs {where} GROUP BY key ORDER BY {order}"
        )
        return [CostRow(*row) for row in self.conn.execute(sql, params).fetchall()]

    @recovering
    def sessions(self, slug: str) -> list[SessionRow]:
        """The project's sessions (review runs excluded), newest first."""
        rows = self.conn.execute(
            "SELECT session_id, run_id, status FROM runs WHERE slug = ? AND session_id IS NOT NULL AND kind != 'review' "
            "ORDER BY started_at, id",
            (slug,),
        ).fetchall()
        sessions: dict[str, SessionRow] = {}
        for session_id, run_id, status in rows:
            known = sessions.pop(session_id, None)
            sessions[session_id] = SessionRow(
                session_id, slug, (known.runs if known else 0) + 1, known.first_run if known else run_id, run_id, status
            )
        return list(reversed(sessions.values()))

    @recovering
    def search(
        self,
        query: str,
        *,
        limit: int = 20,
        project: str | None = None,
        status: str | None = None,
        since: str | None = None,
    ) -> list[Hit]:
        """Full text over specs, results and descriptions, best match first, each with a snippet.

        Ranking reads the newest RANK_WINDOW matches: a word found in more runs than that (a near stop-word at
        this scale) ranks among the recent ones, which keeps every search in tens of milliseconds at 100k runs.
        """
        words = f"{{spec result description}} : ({fts_query(query)})"
        facets = [f'"s{project.encode().hex()}"'] if project else []
        facets += [f'"t{status.encode().hex()}"'] if status else []
        since_at = normalize_since(since)
        if since_at is not None:
            newest = self.conn.execute("SELECT max(started_at) FROM runs").fetchone()[0]
            if newest is None or newest < since_at:
                return []
            facets.append(f"({' OR '.join(date_tokens(since_at, newest))})")
        match = f"{words} AND facets : ({' AND '.join(facets)})" if facets else words
        join, where, params = "", "", [match]
        if since_at is not None:
            # The date tokens narrow the matches to the days from `since` on; this keeps the exact moment.
            # CROSS JOIN keeps the FTS scan outside: driving from the date index would run one MATCH per run.
            join, where = "CROSS JOIN runs ON runs.id = runs_fts.rowid", "AND runs.started_at >= ?"
            params.append(since_at)
        ranked = self.conn.execute(
            f"SELECT id, score FROM (SELECT runs_fts.rowid AS id, runs_fts.rank AS score FROM runs_fts {join} "
            f"WHERE runs_fts MATCH ? {where} ORDER BY runs_fts.rowid DESC LIMIT {RANK_WINDOW}) "
            f"ORDER BY score LIMIT ?",
            (*params, limit),
        ).fetchall()
        if not ranked:
            return []
        marks = ", ".join("?" for _ in ranked)
        rows = self.conn.execute(
            f"SELECT runs_fts.rowid, {RUN_COLUMNS}, snippet(runs_fts, -1, '{MARK_START}', '{MARK_END}', '…', 16) "
            f"FROM runs_fts JOIN runs ON runs.id = runs_fts.rowid "
            f"WHERE runs_fts MATCH ? AND runs_fts.rowid IN ({marks})",
            (words, *(i for i, _ in ranked)),
        ).fetchall()
        found = {row[0]: row[1:] for row in rows}
        return [
            Hit(RunRow(*found[i][:-1]), " ".join(found[i][-1].split()), -float(score))
            for i, score in ranked
            if i in found
        ]


def _filters(
    slug: str | None,
    status: str | None,
    tier: str | None,
    since: str | None,
    session: str | None = None,
    reason: str | None = None,
) -> tuple[str, tuple[Any, ...]]:
    clauses, params = [], []
    for column, value in (
        ("slug", slug),
        ("status", status),
        ("tier", tier),
        ("session_id", session),
        ("reason", reason),
    ):
        if value is not None:
            clauses.append(f"runs.{column} = ?")
            params.append(value)
    if since is not None:
        clauses.append("runs.started_at >= ?")
        params.append(normalize_since(since))
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)
