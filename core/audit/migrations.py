"""The run index's schema as ordered migrations, applied safely when several processes open it at once.

Each migration runs inside one `BEGIN IMMEDIATE` transaction that first re-reads `PRAGMA user_version`:
the write lock serialises migrators, so a process that waited finds the work done and applies nothing
(parallel migrations were a known failure of llm's logs.db). Append new steps; never edit an old one.
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: tuple[str, ...] = (
    # 1: projects, runs, and a full-text index over each run's spec, result and its project's description.
    # `facets` holds the run's project and status as single tokens (hex, so any slug is one token), so a
    # search narrowed to a project or status intersects posting lists instead of joining every match.
    """
    CREATE TABLE projects (
        slug TEXT PRIMARY KEY,
        description TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL DEFAULT '',
        updated TEXT NOT NULL DEFAULT '',
        backend TEXT,
        tier TEXT,
        last_status TEXT,
        last_run TEXT,
        runs INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL NOT NULL DEFAULT 0,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        review_verdict TEXT,
        fingerprint TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL,
        slug TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'run',
        status TEXT NOT NULL,
        backend TEXT, model TEXT, tier TEXT, task_type TEXT,
        started_at TEXT,
        duration_ms INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        session_id TEXT, error TEXT, reason TEXT,
        audit_path TEXT NOT NULL DEFAULT '',
        parent_run_id TEXT, verdict TEXT,
        spec TEXT NOT NULL DEFAULT '',
        result TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        facets TEXT GENERATED ALWAYS AS ('s' || hex(slug) || ' t' || hex(status)) VIRTUAL,
        UNIQUE (slug, run_id)
    );
    CREATE INDEX runs_by_slug ON runs (slug, started_at);
    CREATE INDEX runs_by_time ON runs (started_at);
    CREATE INDEX runs_by_session ON runs (slug, session_id);
    CREATE VIRTUAL TABLE runs_fts USING fts5 (
        spec, result, description, facets,
        content='runs', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2'
    );
    INSERT INTO runs_fts (runs_fts, rank) VALUES ('rank', 'bm25(1.0, 1.0, 0.5, 0.0)');
    CREATE TRIGGER runs_ai AFTER INSERT ON runs BEGIN
        INSERT INTO runs_fts (rowid, spec, result, description, facets)
        VALUES (new.id, new.spec, new.result, new.description, new.facets);
    END;
    CREATE TRIGGER runs_ad AFTER DELETE ON runs BEGIN
        INSERT INTO runs_fts (runs_fts, rowid, spec, result, description, facets)
        VALUES ('delete', old.id, old.spec, old.result, old.description, old.facets);
    END;
    CREATE TRIGGER runs_au AFTER UPDATE ON runs BEGIN
        INSERT INTO runs_fts (runs_fts, rowid, spec, result, description, facets)
        VALUES ('delete', old.id, old.spec, old.result, old.description, old.facets);
        INSERT INTO runs_fts (rowid, spec, result, description, facets)
        VALUES (new.id, new.spec, new.result, new.description, new.facets);
    END;
    """,
    # 2: a run's `description` is now its own --desc, no longer its project's description copied onto every run
    # (which made a search for one run's words return the project's other runs, and carried a description written
    # before redaction covered it). Rows indexed the old way cannot be told apart, so every run is dropped and
    # every project marked stale: the next sync re-reads each run from its result file, the truth.
    """
    DELETE FROM runs;
    INSERT INTO runs_fts (runs_fts) VALUES ('rebuild');
    UPDATE projects SET fingerprint = '', runs = 0, cost_usd = 0, input_tokens = 0, output_tokens = 0;
    """,
    # 3: the dashboard's lists by status (running, blocked, needs input) and by reason (verify_failed), newest
    # first: without these each one walked the whole time index backwards, ~20 ms a list at 100k runs.
    """
    CREATE INDEX runs_by_status ON runs (status, started_at);
    CREATE INDEX runs_by_reason ON runs (reason, started_at);
    """,
    # 4: `facets` also holds the run's start as year, month and day tokens (y2026 m202611 d20261121), so a search
    # with --since matches a handful of date tokens inside the full-text index instead of looking up every
    # matching run's date (44 ms at 100k runs). A generated column cannot be altered: the table is rebuilt, with
    # its indexes and triggers, and the full-text index rebuilt from it.
    """
    CREATE TABLE runs_new (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL,
        slug TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'run',
        status TEXT NOT NULL,
        backend TEXT, model TEXT, tier TEXT, task_type TEXT,
        started_at TEXT,
        duration_ms INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        session_id TEXT, error TEXT, reason TEXT,
        audit_path TEXT NOT NULL DEFAULT '',
        parent_run_id TEXT, verdict TEXT,
        spec TEXT NOT NULL DEFAULT '',
        result TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        facets TEXT GENERATED ALWAYS AS ('s' || hex(slug) || ' t' || hex(status) || coalesce(
            ' y' || substr(started_at, 1, 4) || ' m' || substr(started_at, 1, 4) || substr(started_at, 6, 2) ||
            ' d' || substr(started_at, 1, 4) || substr(started_at, 6, 2) || substr(started_at, 9, 2), '')) VIRTUAL,
        UNIQUE (slug, run_id)
    );
    INSERT INTO runs_new (id, run_id, slug, kind, status, backend, model, tier, task_type, started_at, duration_ms, cost_usd, input_tokens,
        output_tokens, session_id, error, reason, audit_path, parent_run_id, verdict, spec, result, description)
        SELECT id, run_id, slug, kind, status, backend, model, tier, task_type, started_at, duration_ms, cost_usd, input_tokens,
        output_tokens, session_id, error, reason, audit_path, parent_run_id, verdict, spec, result, description FROM runs;
    DROP TABLE runs;
    ALTER TABLE runs_new RENAME TO runs;
    CREATE INDEX runs_by_slug ON runs (slug, started_at);
    CREATE INDEX runs_by_time ON runs (started_at);
    CREATE INDEX runs_by_session ON runs (slug, session_id);
    CREATE INDEX runs_by_status ON runs (status, started_at);
    CREATE INDEX runs_by_reason ON runs (reason, started_at);
    CREATE TRIGGER runs_ai AFTER INSERT ON runs BEGIN
        INSERT INTO runs_fts (rowid, spec, result, description, facets)
        VALUES (new.id, new.spec, new.result, new.description, new.facets);
    END;
    CREATE TRIGGER runs_ad AFTER DELETE ON runs BEGIN
        INSERT INTO runs_fts (runs_fts, rowid, spec, result, description, facets)
        VALUES ('delete', old.id, old.spec, old.result, old.description, old.facets);
    END;
    CREATE TRIGGER runs_au AFTER UPDATE ON runs BEGIN
        INSERT INTO runs_fts (runs_fts, rowid, spec, result, description, facets)
        VALUES ('delete', old.id, old.spec, old.result, old.description, old.facets);
        INSERT INTO runs_fts (rowid, spec, result, description, facets)
        VALUES (new.id, new.spec, new.result, new.description, new.facets);
    END;
    INSERT INTO runs_fts (runs_fts) VALUES ('rebuild');
    """,
)

LATEST = len(MIGRATIONS)


def version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to LATEST; returns how many steps this call applied (0 when another process did)."""
    if version(conn) >= LATEST:
        return 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = version(conn)
        for number in range(current + 1, LATEST + 1):
            for statement in _statements(MIGRATIONS[number - 1]):
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {LATEST}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return max(0, LATEST - current)


def _statements(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit our transaction behind our back)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
