"""The run index against real run files: migrations, catching up, rebuilding, queries."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from core.audit import migrations
from core.audit.index import Index, fts_query
from core.audit.index_writer import VERIFY_EVERY_S
from core.audit.store import Project
from core.errors import UsageError
from core.fsutil import atomic_write_json
from tests.helpers import ROOT, dispatch


def add_run(
    slug: str,
    n: int,
    *,
    result: str = "",
    spec: str = "",
    status: str = "ok",
    kind: str = "run",
    session: str | None = None,
    day: str = "2026-11-20",
    **extra: Any,
) -> dict[str, Any]:
    """Write one run's result file and refresh project.json, as the engine does."""
    project = Project.at(slug)
    project.ensure(f"the {slug} project", "openai")
    run_id = f"{day.replace('-', '')}-1200{n:02d}-1-{n}"
    record = {
        "run_id": run_id,
        "slug": slug,
        "status": status,
        "kind": kind,
        "result": result,
        "spec": spec,
        "session_id": session,
        "started_at": f"{day}T12:00:{n:02d}.000+00:00",
        "model": "m",
        "tier": "general",
        "usage": {"input_tokens": 10, "output_tokens": 5},
        "cost_usd": 0.25,
        "audit_path": str(project.result_path(run_id)),
        **extra,
    }
    atomic_write_json(project.result_path(run_id), record)
    project.ensure(None, "openai")
    return record


def test_migrations_from_a_blank_database(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "blank.sqlite3", isolation_level=None)
    assert migrations.version(conn) == 0
    assert migrations.migrate(conn) == migrations.LATEST
    assert migrations.version(conn) == migrations.LATEST
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")}
    assert {"projects", "runs", "runs_fts", "meta", "runs_ai", "runs_ad", "runs_au"} <= tables
    assert migrations.migrate(conn) == 0


def test_an_index_at_version_1_migrates_and_lists_by_status_and_reason_from_an_index(
    tmp_path: Path, projects_dir: Path
) -> None:
    add_run("old", 1, result="written before the migration", status="blocked")
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in migrations._statements(migrations.MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    with Index.open(path, projects=projects_dir) as index:
        assert migrations.version(index.conn) == migrations.LATEST
        assert [run.status for run in index.runs(status="blocked")] == ["blocked"]
        for column, value in (("status", "blocked"), ("reason", "verify_failed")):
            plan = index.conn.execute(
                f"EXPLAIN QUERY PLAN SELECT run_id FROM runs WHERE {column} = ? "
                "ORDER BY started_at DESC, id DESC LIMIT 20",
                (value,),
            ).fetchall()
            assert any(f"runs_by_{column}" in str(row) for row in plan), plan
            assert not any("TEMP B-TREE" in str(row) for row in plan), plan


def test_an_index_at_version_3_gains_date_facets_and_since_finds_exactly_the_runs_from_then(
    tmp_path: Path, projects_dir: Path
) -> None:
    path = tmp_path / "v3.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    for script in migrations.MIGRATIONS[:3]:
        for statement in migrations._statements(script):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 3")
    starts = [
        "2025-12-31T23:00:00.000+00:00",
        "2026-10-31T12:00:00.000+00:00",
        "2026-11-20T08:00:00.000+00:00",
        "2026-11-21T09:00:00.000+00:00",
        "2026-11-21T10:00:00.000+00:00",
        "2027-02-01T00:00:00.000+00:00",
        None,
    ]
    for n, started in enumerate(starts):
        conn.execute(
            "INSERT INTO runs (run_id, slug, status, started_at, result) VALUES (?, 'dated', 'ok', ?, ?)",
            (f"run-{n}", started, f"quarterly pagination report {n}"),
        )
    conn.close()
    with Index.open(path, projects=projects_dir) as index:
        assert migrations.version(index.conn) == migrations.LATEST
        facets = index.conn.execute("SELECT facets FROM runs WHERE run_id = 'run-3'").fetchone()[0]
        assert {"y2026", "m202611", "d20261121"} <= set(facets.split())
        for since, expected in (
            ("2026-11-21", {3, 4, 5}),
            ("2026-11-21T09:30", {4, 5}),
            ("2026-01-01", {1, 2, 3, 4, 5}),
            ("2025-12-31", {0, 1, 2, 3, 4, 5}),
            ("2027-03-01", set()),
        ):
            hits = index.search("pagination", since=since, limit=50)
            assert {int(hit.run.run_id.split("-")[1]) for hit in hits} == expected, since
        assert len(index.search("pagination two", limit=50)) == 0 and len(index.search("pagination", limit=50)) == 7


MIGRATE = """
import sys, time
from pathlib import Path
from core.audit.index import Index
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.005)
index = Index.open(Path(sys.argv[1]), projects=Path(sys.argv[3]))
print(index.conn.execute("PRAGMA user_version").fetchone()[0], index.conn.execute("PRAGMA journal_mode").fetchone()[0])
"""


def test_concurrent_migrations_all_succeed(tmp_path: Path, projects_dir: Path) -> None:
    add_run("shared", 1, result="one record to index")
    path, go = tmp_path / "race.sqlite3", tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE, str(path), str(go), str(projects_dir)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    go.touch()
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, [err for _, err in outputs]
    assert {out.strip() for out, _ in outputs} == {f"{migrations.LATEST} wal"}
    with Index.open(path, projects=projects_dir) as index:
        assert index.count_runs() == 1 and index.writer.verify()


def test_concurrent_opens_of_a_corrupt_index_rebuild_it_once_consistently(tmp_path: Path, projects_dir: Path) -> None:
    for n in range(3):
        add_run("shared", n, result=f"record {n}")
    path, go = tmp_path / "broken.sqlite3", tmp_path / "go"
    path.write_bytes(b"not a database at all" * 500)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE, str(path), str(go), str(projects_dir)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    go.touch()
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, [err for _, err in outputs]
    with Index.open(path, projects=projects_dir) as index:
        assert index.count_runs() == 3 and index.writer.verify()


def test_open_catches_up_with_files_and_deleted_projects(projects_dir: Path) -> None:
    add_run("alpha", 1, result="first")
    with Index.open() as index:
        assert index.count_runs("alpha") == 1
    add_run("alpha", 2, result="second")
    add_run("beta", 1, result="third")
    with Index.open() as index:
        assert [r.run_id for r in index.runs("alpha")] == ["20261120-120002-1-2", "20261120-120001-1-1"]
        assert {p.slug for p in index.projects()} == {"alpha", "beta"}
    for path in (projects_dir / "beta").rglob("*"):
        if path.is_file():
            path.unlink()
    with Index.open() as index:
        assert [p.slug for p in index.projects()] == ["alpha"] and index.count_runs() == 2


def test_a_running_record_is_reread_when_it_ends(projects_dir: Path) -> None:
    record = add_run("live", 1, status="running")
    with Index.open() as index:
        assert index.runs("live")[0].status == "running"
    project = Project.at("live")
    atomic_write_json(project.result_path(record["run_id"]), {**record, "status": "timeout"})
    project.ensure(None, "openai")
    with Index.open() as index:
        assert index.runs("live")[0].status == "timeout"
        assert index.project("live").last_status == "timeout"


def test_project_rows_sessions_and_verdicts(projects_dir: Path) -> None:
    add_run("work", 1, session="s1", result="a")
    add_run("work", 2, session="s2", result="b")
    add_run("work", 3, session="s1", result="c", kind="resume", status="error")
    add_run("work", 4, session="r", kind="review", verdict="concerns", result="VERDICT: concerns")
    with Index.open() as index:
        row = index.project("work")
        assert (row.runs, row.cost_usd, row.input_tokens, row.output_tokens) == (4, 1.0, 40, 20)
        assert row.last_run == "20261120-120004-1-4" and row.review_verdict == "concerns" and row.tier == "general"
        sessions = index.sessions("work")
        assert [(s.session_id, s.runs, s.first_run[-1], s.last_run[-1], s.last_status) for s in sessions] == [
            ("s1", 2, "1", "3", "error"),
            ("s2", 1, "2", "2", "ok"),
        ]
        assert index.count_runs("work", status="ok") == 3
        assert [r.run_id[-1] for r in index.runs("work", limit=2, offset=1)] == ["3", "2"]
        assert [r.run_id[-1] for r in index.runs("work", session="s1")] == ["3", "1"]


def test_search_ranks_filters_and_snippets(projects_dir: Path) -> None:
    add_run("flask", 1, spec="Build a Flask REST API with pagination", result="Added pagination to GET /tasks")
    add_run("flask", 2, spec="Write tests", result="pagination mentioned once", day="2026-11-22")
    add_run("other", 1, spec="Summarise a report", result="no match here", status="error")
    with Index.open() as index:
        hits = index.search("pagination")
        assert [h.run.run_id[-1] for h in hits][0] == "1" and len(hits) == 2
        assert hits[0].rank >= hits[1].rank and "⟦pagination⟧" in hits[0].snippet
        assert [h.run.run_id[-1] for h in index.search("pagination", since="2026-11-21")] == ["2"]
        assert index.search("pagination", project="other") == []
        assert [h.run.slug for h in index.search("report", status="error")] == ["other"]
        assert index.search('flask" -(', limit=5)[0].run.slug == "flask"
        assert len(index.search("pag*")) == 2
    with pytest.raises(UsageError):
        fts_query('"" -- ()')


def test_fts_out_of_step_with_its_content_is_found_and_rebuilt(projects_dir: Path) -> None:
    add_run("drift", 1, result="original words")
    with Index.open() as index:
        index.writer.conn.execute("DROP TRIGGER runs_au")
        index.writer.conn.execute("UPDATE runs SET result = 'replaced text'")
        assert index.writer.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        assert not index.writer.verify()
        index.writer.conn.execute("UPDATE meta SET value = '0' WHERE key = 'verified_at'")
    with Index.open() as index:
        assert not index.writer.verify(), "the daily check runs in the background, never inside a command"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with Index.open(check=False) as index:
            if index.writer.checked_ago() < VERIFY_EVERY_S:
                break
        time.sleep(0.1)
    with Index.open(check=False) as index:
        assert index.writer.checked_ago() < VERIFY_EVERY_S and index.writer.verify()
        assert [h.run.slug for h in index.search("original")] == ["drift"]
        assert index.search("replaced") == []


def test_reindex_check_finds_damage_in_the_foreground(projects_dir: Path) -> None:
    add_run("drift", 1, result="original words")
    with Index.open() as index:
        index.writer.conn.execute("DROP TRIGGER runs_au")
        index.writer.conn.execute("UPDATE runs SET result = 'replaced text'")
    damaged = dispatch("reindex", "--check", "--json")
    assert damaged.code == 0 and damaged.json()["sound"] is False and damaged.json()["runs"] == 1
    again = dispatch("reindex", "--check", "--json")
    assert again.code == 0 and again.json()["sound"] is True


def test_garbage_index_file_is_rebuilt(projects_dir: Path) -> None:
    add_run("safe", 1, result="still here")
    path = projects_dir / ".dispatch-index.sqlite3"
    path.write_bytes(b"\x00garbage" * 1000)
    with Index.open() as index:
        assert index.search("still")[0].run.slug == "safe"
    assert path.read_bytes().startswith(b"SQLite format 3")


def test_a_directory_where_the_index_goes_says_to_move_it_not_to_reindex(projects_dir: Path) -> None:
    add_run("safe", 1, result="still here")
    (projects_dir / ".dispatch-index.sqlite3").mkdir()
    for command in (("list",), ("reindex",)):
        result = dispatch(*command)
        assert result.code == 1 and "it is a directory (move it away" in result.stderr, result.stderr
        assert "run `dispatch reindex`" not in result.stderr


def test_a_held_index_follows_a_rebuild_by_another_holder(projects_dir: Path) -> None:
    add_run("held", 1, result="before the rebuild")
    with Index.open() as console, Index.open() as other:
        assert console.count_runs() == 1
        other.reindex()
        add_run("held", 2, result="after the rebuild")
        other.writer.sync()
        assert console.count_runs() == 2 and console.search("after")[0].run.run_id.endswith("-2")


def test_each_run_is_indexed_with_its_own_text_only(projects_dir: Path) -> None:
    """The project's description is not every run's text: a search for one run's words finds that run alone."""
    add_run("named", 1, result="walrus colony survey", description="arctic mammals")
    add_run("named", 2, result="penguin census")
    with Index.open() as index:
        assert [h.run.run_id[-1] for h in index.search("walrus")] == ["1"]
        assert [h.run.run_id[-1] for h in index.search("arctic")] == ["1"]
        assert index.search("named project") == []
        assert index.project("named").description == "the named project"


def test_reindex_counts_runs(projects_dir: Path) -> None:
    for n in range(3):
        add_run("many", n, result=f"result {n}")
    with Index.open() as index:
        assert index.reindex() == 3
        assert index.count_runs("many") == 3


def test_bad_arguments_are_usage_errors(projects_dir: Path) -> None:
    with Index.open() as index:
        for since in ("yesterday", "0001-01-01T00:00+05:00", "9999-12-31T23:59-05:00"):
            with pytest.raises(UsageError, match="not a date"):
                index.runs(since=since)
        with pytest.raises(UsageError, match="unknown sort"):
            index.projects(sort="size")
