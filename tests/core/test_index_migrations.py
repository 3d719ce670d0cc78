"""An index written by an older dispatch is brought up to date when opened: migration 2 re-derives every run's row
from its result file, since rows indexed before each run kept only its own description cannot be told apart."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from core.audit import migrations
from core.audit.index import Index
from core.audit.index_writer import fingerprint
from core.audit.store import Project
from tests.core.test_index import add_run


def old_index(path: Path, records: list[dict]) -> None:
    """The index as version 1 wrote it: its schema alone, and every run's description column holding its
    project's description, each project's fingerprint current (so nothing looks stale)."""
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in migrations._statements(migrations.MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    for record in records:
        project = Project.at(record["slug"])
        meta = project.meta()
        conn.execute(
            "INSERT INTO projects (slug, description, fingerprint) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (project.slug, meta["description"], fingerprint(project.meta_path)),
        )
        conn.execute(
            "INSERT INTO runs (run_id, slug, status, started_at, cost_usd, spec, result, description) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record["run_id"],
                project.slug,
                record["status"],
                record["started_at"],
                record["cost_usd"],
                record["spec"],
                record["result"],
                meta["description"],
            ),
        )
    conn.close()


def test_an_index_from_version_1_stops_matching_a_run_by_its_projects_description(
    tmp_path: Path, projects_dir: Path
) -> None:
    records = [
        add_run("herd", 1, spec="count the zebrafish tanks", description="zebrafish inventory"),
        add_run("herd", 2, spec="water temperature log", result="the temperatures, graphed"),
        add_run("other", 1, spec="an unrelated project"),
    ]
    Project.at("herd").ensure("zebrafish inventory", "openai")
    path = tmp_path / "old.sqlite3"
    old_index(path, records)
    conn = sqlite3.connect(path)
    before = conn.execute("SELECT count(*) FROM runs_fts WHERE runs_fts MATCH 'zebrafish'").fetchone()[0]
    conn.close()
    assert before == 2, "the old index matches both runs of the project by its description"
    with Index.open(path, projects=projects_dir) as index:
        assert migrations.version(index.conn) == migrations.LATEST
        hits = index.search("inventory")
        temperature = index.search("temperature")
        assert index.count_runs() == 3 and index.writer.verify()
        assert {p.slug: p.runs for p in index.projects()} == {"herd": 2, "other": 1}
        assert index.project("herd").cost_usd == 0.5
    assert [hit.run.run_id for hit in hits] == ["20261120-120001-1-1"], "only the run given that --desc"
    assert [hit.run.run_id for hit in temperature] == ["20261120-120002-1-2"]
