"""Project directories and their run files (core/audit/store.py): the trail's source of truth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.audit import chain, store
from core.audit.store import RUN_ID, Project, new_run_id, slug_from, validate_run_id, validate_slug
from core.envelope import Envelope, Status, Usage
from core.errors import UsageError
from core.fsutil import atomic_write_json


def running_record(project: Project, run_id: str) -> dict[str, object]:
    return {
        "run_id": run_id,
        "slug": project.slug,
        "status": "running",
        "result": "",
        "kind": "run",
        "audit_path": str(project.result_path(run_id)),
    }


def test_a_slug_is_made_from_the_goals_first_words_within_the_limit() -> None:
    assert slug_from("Summarise the Q3 *sales* report, please!", limit=20) == "summarise-the-q3"
    assert slug_from("!!!") == "task"
    long = slug_from("word " * 30, limit=64)
    assert len(long) <= 64 < len(long + "-word") and validate_slug(long) == long, "whole words, up to the limit"


@pytest.mark.parametrize("bad", ["", "Upper", "-dash-first", "a/b", "../up", "a" * 65])
def test_a_bad_slug_or_run_id_is_a_usage_error_saying_what_is_allowed(bad: str) -> None:
    with pytest.raises(UsageError, match="invalid slug") as raised:
        Project.at(bad)
    assert "lowercase" in raised.value.one_line()
    with pytest.raises(UsageError, match="invalid run id"):
        validate_run_id(bad)


def test_run_ids_are_unique_in_a_process_and_sort_by_time() -> None:
    ids = [new_run_id() for _ in range(50)]
    assert len(set(ids)) == 50 and all(RUN_ID.fullmatch(i) for i in ids)


def test_a_project_keeps_the_description_given_and_otherwise_its_first_goal(projects_dir: Path) -> None:
    project = Project.at("notes")
    project.ensure(None, "openai", "the first goal")
    project.ensure(None, "openai", "a later goal")
    assert project.meta()["description"] == "the first goal"
    project.ensure("set by a person", "openai")
    assert project.meta()["description"] == "set by a person" and project.meta()["counts"] == {"runs": 0}


def finished_record(project: Project, run_id: str) -> dict[str, object]:
    return {**running_record(project, run_id), "status": "ok", "result": f"answer of {run_id}"}


def test_sealing_the_next_run_does_not_read_back_the_one_this_process_wrote(
    projects_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = Project.at("sealed")
    project.ensure(None, "openai")
    first, second, third = (f"20261120-120000-1-{n}" for n in (1, 2, 3))
    project.write_run(first, finished_record(project, first))
    reads: list[str] = []
    real_read = chain.read_json
    monkeypatch.setattr(chain, "read_json", lambda path: reads.append(path.name) or real_read(path))
    project.write_run(second, finished_record(project, second))
    assert project.result_path(first).name not in reads
    edited = {**json.loads(project.result_path(second).read_text()), "result": "edited by hand"}
    project.result_path(second).write_text(json.dumps(edited))
    project.write_run(third, finished_record(project, third))
    assert project.result_path(second).name in reads, "a file changed since it was written is read again"
    report = chain.verify("sealed", project.logs, live=False)
    assert [(p.kind, p.where) for p in report.problems] == [("edited", second)] and report.chained == 3


def test_sealing_a_run_with_no_head_reads_every_entry_but_the_running_record_it_replaces(
    projects_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = Project.at("headless")
    project.ensure(None, "openai")
    first, second = (f"20261120-120000-1-{n}" for n in (1, 2))
    reads: list[str] = []
    real_read = chain.read_json
    monkeypatch.setattr(chain, "read_json", lambda path: reads.append(path.name) or real_read(path))
    project.write_run(first, running_record(project, first))
    project.write_run(first, finished_record(project, first))
    assert project.result_path(first).name not in reads, "a new project's first seal reads nothing back"
    (project.logs / chain.HEAD).unlink()
    project.write_run(second, running_record(project, second))
    project.write_run(second, finished_record(project, second))
    assert project.result_path(first).name in reads and project.result_path(second).name not in reads
    assert json.loads(project.result_path(second).read_text())["chain"]["seq"] == 2, "the head found by the scan"
    report = chain.verify("headless", project.logs, live=False)
    assert report.ok and report.chained == 2


def test_project_json_written_here_is_read_back_without_opening_it_until_another_writer_changes_it(
    projects_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = Project.at("kept")
    project.ensure("mine", "openai")
    opened: list[str] = []
    real_read = store.read_json
    monkeypatch.setattr(store, "read_json", lambda path: opened.append(path.name) or real_read(path))
    assert Project.at("kept").meta()["description"] == "mine" and not opened
    changed = {**json.loads(project.meta_path.read_text()), "description": "another process's"}
    atomic_write_json(project.meta_path, changed)
    assert project.meta()["description"] == "another process's" and opened == ["project.json"]
    project.meta_path.unlink()
    assert project.meta() == {}


def test_finished_runs_fold_into_the_projects_counts_and_last_result(projects_dir: Path) -> None:
    project = Project.at("sums")
    project.ensure(None, "openai")
    for n, status in enumerate([Status.OK, Status.ERROR, Status.OK]):
        run_id = f"20261120-120000-1-{n}"
        project.write_run(run_id, {**finished_record(project, run_id), "result": f"answer {n}"})
        project.record_finished(
            Envelope(
                run_id=run_id,
                slug="sums",
                status=status,
                result=f"answer {n}",
                usage=Usage(10, 5),
                cost_usd=0.25,
                session_id="s-1",
            )
        )
    counts = project.meta()["counts"]
    assert counts == {"runs": 3, "ok": 2, "error": 1, "input_tokens": 30, "output_tokens": 15, "cost_usd": 0.75}
    assert project.last_result() == "answer 2" and project.last_session_id() == "s-1"
    assert sorted(p.name for p in project.logs.iterdir() if not p.name.endswith("-result.json")) == [
        "chain-head.json",
        "project.json",
    ], "the last result and session are named in project.json, not kept in files of their own"


def test_an_older_trails_last_result_and_session_files_are_read_until_a_run_supersedes_them(
    projects_dir: Path,
) -> None:
    project = Project.at("older")
    project.ensure(None, "openai")
    first, second = "20261120-120000-1-1", "20261120-120000-1-2"
    project.write_run(first, {**finished_record(project, first), "result": "in the record"})
    (project.logs / "last-result.txt").write_text("kept by an older dispatch")
    (project.logs / "last-session-id").write_text("old-session\n")
    assert project.last_result() == "kept by an older dispatch" and project.last_session_id() == "old-session"
    project.record_finished(Envelope(run_id=first, slug="older", status=Status.OK, kind="review"))
    assert project.last_result() == "kept by an older dispatch", "a review leaves the work it reviewed"
    project.record_finished(Envelope(run_id=first, slug="older", status=Status.OK))
    assert project.last_result() == "in the record" and project.last_session_id() == "old-session"
    assert not (project.logs / "last-result.txt").exists()
    assert (project.logs / "last-session-id").exists(), "a run without a session keeps the one before"
    project.write_run(second, finished_record(project, second))
    project.record_finished(Envelope(run_id=second, slug="older", status=Status.OK, session_id="new-session"))
    assert project.last_result() == f"answer of {second}" and project.last_session_id() == "new-session"
    assert not (project.logs / "last-session-id").exists()


def test_a_run_left_running_by_a_dead_process_is_marked_interrupted_and_counted(projects_dir: Path) -> None:
    project = Project.at("crashed")
    project.ensure(None, "openai")
    run_id = "20261120-120000-1-1"
    project.write_run(run_id, running_record(project, run_id))
    assert project.recover() == [run_id]
    record = json.loads(project.result_path(run_id).read_text())
    assert (record["status"], record["reason"]) == ("interrupted", "killed") and record["finished_at"]
    assert project.meta()["counts"]["runs"] == 1
    assert project.recover() == [], "a second look finds nothing left to repair"


def test_recovery_reads_only_the_last_lock_holders_run_and_the_newest_however_many_there_are(
    projects_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = Project.at("many")
    project.ensure(None, "openai")
    run_ids = [f"20261120-1200{n:02d}-1-1" for n in range(40)]
    died = run_ids[7]  # its process died holding the lock (a test-made state: the newest is not it)
    for run_id in run_ids:
        if run_id == died:
            project.write_run(died, running_record(project, died))
        else:
            done = project.write_run(run_id, {**running_record(project, run_id), "status": "ok"})
            project.record_finished(Envelope.from_dict(done))
    with project.lock().acquire(run_id=died):
        pass  # let go as a killed process's lock is, its run named in the file
    import core.audit.store as store

    reads: list[str] = []
    real = store.read_json
    monkeypatch.setattr(store, "read_json", lambda path: reads.append(Path(path).name) or real(path))
    assert project.recover() == [died]
    assert sorted({name for name in reads if name.endswith("-result.json")}) == [
        f"{died}-result.json",
        f"{run_ids[-1]}-result.json",
    ], "two records read, not forty"


def test_audit_verify_recovers_a_run_left_running_anywhere(projects_dir: Path) -> None:
    project = Project.at("anywhere")
    project.ensure(None, "openai")
    older, newer = "20261120-120000-1-1", "20261120-120001-1-1"
    project.write_run(older, running_record(project, older))
    project.write_run(newer, {**running_record(project, newer), "status": "ok"})
    assert project.recover() == [], "neither the lock's run nor the newest"
    assert project.recover(everywhere=True) == [older]


def test_a_run_whose_project_is_locked_is_live_and_left_alone(projects_dir: Path) -> None:
    project = Project.at("live")
    project.ensure(None, "openai")
    run_id = "20261120-120000-1-1"
    project.write_run(run_id, running_record(project, run_id))
    with project.lock().acquire():
        assert project.recover() == []
    assert json.loads(project.result_path(run_id).read_text())["status"] == "running"


def test_a_named_run_that_is_missing_or_damaged_is_one_line(projects_dir: Path) -> None:
    project = Project.at("named")
    project.ensure(None, "openai")
    with pytest.raises(UsageError, match="no run"):
        project.named_run("20261120-120000-1-9")
    project.result_path("20261120-120000-1-8").write_text("{not json")
    with pytest.raises(Exception, match="cannot be read") as raised:
        project.named_run("20261120-120000-1-8")
    assert "\n" not in str(raised.value)
