"""`dispatch audit verify` over trails made by the real CLI against the fake OpenAI server on 127.0.0.1: an intact
chain passes, and a record edited by hand, one deleted, two swapped and a killed run's recovery are each judged."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.audit.store import Project
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import GOOD_SPEC, ROOT, dispatch, write


def make_runs(tmp_path: Path, slug: str, count: int) -> list[str]:
    """`count` finished runs in one project, through the CLI; their run ids, oldest first."""
    spec = write(tmp_path / "task.md", GOOD_SPEC)
    with FakeOpenAI([Reply(text=f"Answer {n}.") for n in range(count)]) as api:
        for _ in range(count):
            made = dispatch(
                "run", "--spec", str(spec), "--slug", slug, "--json", env={"DISPATCH_BASE_URL": api.base_url}
            )
            assert made.code == 0, made.stderr
    return Project.at(slug).run_ids()


def copy_project(source: str, target: str) -> Project:
    shutil.copytree(Project.at(source).root, Project.at(target).root)
    return Project.at(target)


def lines_of(result_stdout: str, kind: str) -> list[str]:
    return [line for line in result_stdout.splitlines() if line.startswith(kind)]


def test_an_intact_chain_passes_and_each_record_links_to_the_one_before(tmp_path: Path) -> None:
    run_ids = make_runs(tmp_path, "intact", 3)
    records = [Project.at("intact").read_run(run_id) for run_id in run_ids]
    assert [r["chain"]["seq"] for r in records] == [1, 2, 3]
    assert records[0]["chain"]["prev"] is None
    assert [r["chain"]["prev"] for r in records[1:]] == [r["chain"]["sha256"] for r in records[:-1]]
    verified = dispatch("audit", "verify", "--slug", "intact")
    assert verified.code == 0, verified.stdout + verified.stderr
    assert verified.stdout == "ok        intact  3 chained\n"


def test_an_edited_a_deleted_and_two_swapped_records_are_each_reported(tmp_path: Path) -> None:
    run_ids = make_runs(tmp_path, "base", 4)

    edited = copy_project("base", "edited")
    path = edited.result_path(run_ids[1])
    record = json.loads(path.read_text())
    record["result"] = "A different answer, typed in later."
    path.write_text(json.dumps(record, indent=2))

    deleted = copy_project("base", "deleted")
    deleted.result_path(run_ids[2]).unlink()

    swapped = copy_project("base", "swapped")
    first, second = swapped.result_path(run_ids[0]), swapped.result_path(run_ids[3])
    texts = first.read_text(), second.read_text()
    first.write_text(texts[1])
    second.write_text(texts[0])

    newest_gone = copy_project("base", "newest-gone")
    newest_gone.result_path(run_ids[3]).unlink()

    result = dispatch("audit", "verify")
    assert result.code == 1, result.stdout + result.stderr
    out = result.stdout
    assert "ok        base  4 chained" in out, "the untouched original still passes"
    assert lines_of(out, "edited") == [
        f"edited    edited  {run_ids[1]}: its content no longer matches the sha256 it was sealed with"
    ]
    assert lines_of(out, "missing") == [
        "missing   deleted  seq 3: no record or tombstone holds this place in the chain (a record was deleted)",
        f"missing   newest-gone  {run_ids[3]}: the chain's head is seq 4, the last entry found is seq 3",
    ]
    reordered = lines_of(out, "reordered")
    assert len(reordered) == 2 and all(" swapped " in line for line in reordered)
    assert f"{run_ids[0]}: this file holds the record of run {run_ids[3]} (seq 4)" in reordered[0]
    assert "FAILED    edited" in out and "FAILED    swapped" in out
    assert "Chain: seq 2, sha256 " in dispatch("show", "--slug", "edited", run_ids[1]).stdout
    assert ", EDITED since it was sealed" in dispatch("show", "--slug", "edited", run_ids[1]).stdout
    assert ", as sealed" in dispatch("show", "--slug", "base", run_ids[1]).stdout
    as_json = {r["slug"]: r for r in dispatch("audit", "verify", "--json").json()}
    assert as_json["base"]["ok"] and not as_json["deleted"]["ok"]
    assert [p["kind"] for p in as_json["swapped"]["problems"]] == ["reordered", "reordered"]


def test_an_edited_or_deleted_event_log_is_reported_beside_its_record(tmp_path: Path) -> None:
    run_ids = make_runs(tmp_path, "logs", 2)
    sealed = Project.at("logs").read_run(run_ids[0])["events_log"]
    assert sealed["bytes"] == Project.at("logs").events_path(run_ids[0]).stat().st_size
    edited = copy_project("logs", "log-edited")
    log = edited.events_path(run_ids[0])
    log.write_text(log.read_text() + '{"kind": "text", "text": "a line added later"}\n')
    deleted = copy_project("logs", "log-deleted")
    deleted.events_path(run_ids[1]).unlink()
    result = dispatch("audit", "verify")
    assert result.code == 1, result.stdout + result.stderr
    assert "ok        logs  2 chained" in result.stdout
    assert lines_of(result.stdout, "edited") == [
        f"edited    log-edited  {run_ids[0]}: its event log {run_ids[0]}-events.jsonl no longer matches the sha256 "
        "sealed with its record"
    ]
    assert lines_of(result.stdout, "missing") == [
        f"missing   log-deleted  {run_ids[1]}: its event log {run_ids[1]}-events.jsonl is gone"
    ]


def test_a_trail_written_before_chains_is_called_unchained_not_failed(tmp_path: Path) -> None:
    run_ids = make_runs(tmp_path, "old", 2)
    project = Project.at("old")
    for run_id in run_ids:
        record = project.read_run(run_id)
        del record["chain"]
        project.result_path(run_id).write_text(json.dumps(record))
    (project.logs / "chain-head.json").unlink()
    result = dispatch("audit", "verify", "--slug", "old")
    assert result.code == 0, result.stdout
    assert result.stdout == "ok        old  0 chained, 2 unchained (written before hash chains)\n"
    later = make_runs(tmp_path, "old", 1)[-1]
    assert project.read_run(later)["chain"]["seq"] == 1, "the chain starts at the first run sealed"
    assert (
        dispatch("audit", "verify", "--slug", "old").stdout
        == "ok        old  1 chained, 2 unchained (written before hash chains)\n"
    )


@contextmanager
def held_run(tmp_path: Path, slug: str) -> Iterator[subprocess.Popen[bytes]]:
    """A run of `slug` that is streaming, held there by the fake server until the block ends (or it is killed)."""
    spec = write(tmp_path / "task.md", GOOD_SPEC)
    gate = threading.Event()
    with FakeOpenAI([Reply(text="still going " * 200, gate=gate)]) as api:
        process = subprocess.Popen(
            [sys.executable, "-m", "core", "run", "--spec", str(spec), "--slug", slug],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "DISPATCH_BASE_URL": api.base_url},
        )
        try:
            assert process.stdout is not None and process.stdout.read(5), "the answer started streaming"
            yield process
        finally:
            gate.set()
            process.wait(timeout=60)
            if process.stdout is not None:
                process.stdout.close()


def test_a_killed_runs_recovery_keeps_the_chain_valid(tmp_path: Path) -> None:
    make_runs(tmp_path, "crash", 1)
    with held_run(tmp_path, "crash") as process:
        running = Project.at("crash").run_ids()[-1]
        assert Project.at("crash").read_run(running)["status"] == "running"
        busy = dispatch("audit", "verify", "--slug", "crash")
        assert busy.code == 0 and "1 chained, 1 running" in busy.stdout, busy.stdout
        process.kill()
    result = dispatch("audit", "verify", "--slug", "crash")
    assert result.code == 0, result.stdout
    assert result.stdout == "ok        crash  2 chained\n"
    record = Project.at("crash").read_run(running)
    assert record["status"] == "interrupted" and record["chain"]["seq"] == 2
    assert make_runs(tmp_path, "crash", 1)[-1] != running
    assert dispatch("audit", "verify", "--slug", "crash").stdout == "ok        crash  3 chained\n"


def test_a_crash_between_the_head_and_the_record_is_sealed_in_place(tmp_path: Path) -> None:
    """The head is written first: a head that names a record still unsealed is that record's place in the chain."""
    run_ids = make_runs(tmp_path, "torn", 2)
    project = Project.at("torn")
    last = project.read_run(run_ids[1])
    head = json.loads((project.logs / "chain-head.json").read_text())
    assert head == {
        "seq": 2,
        "sha256": last["chain"]["sha256"],
        "prev": last["chain"]["prev"],
        "name": project.result_path(run_ids[1]).name,
    }
    del last["chain"]
    last["status"] = "running"
    project.result_path(run_ids[1]).write_text(json.dumps(last))
    result = dispatch("audit", "verify", "--slug", "torn")
    assert result.code == 0 and result.stdout == "ok        torn  2 chained\n", result.stdout + result.stderr
    assert project.read_run(run_ids[1])["chain"]["seq"] == 2


def test_verify_of_a_project_that_is_not_there_is_one_line(tmp_path: Path) -> None:
    for slug, said in (("ghost", "no project 'ghost'"), ("Bad Slug", "invalid slug")):
        result = dispatch("audit", "verify", "--slug", slug)
        assert result.code == 2 and said in result.stderr and len(result.stderr.splitlines()) == 1
    assert dispatch("audit").code == 2


def test_a_damaged_or_foreign_head_is_found_again_from_the_entries(tmp_path: Path) -> None:
    make_runs(tmp_path, "heads", 2)
    project = Project.at("heads")
    for damage in ('{"seq": 1, "sha256": "x", "name": "../../outside-result.json"}', "{torn", '{"seq": 0}'):
        (project.logs / "chain-head.json").write_text(damage)
        later = make_runs(tmp_path, "heads", 1)[-1]
        assert project.read_run(later)["chain"]["seq"] == len(project.run_ids()), damage
    assert dispatch("audit", "verify", "--slug", "heads").stdout == "ok        heads  5 chained\n"
