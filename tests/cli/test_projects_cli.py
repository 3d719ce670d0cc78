"""Project commands end to end: real CLI subprocesses against the fake OpenAI server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from core.audit.index import Index
from core.fsutil import read_json_lines
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import GOOD_SPEC, ROOT, dispatch, write

CONFIG = """\
[models.worker]
backend = "openai"
base_url = "{url}"
model = "worker-model"
price_in = 1.0
price_out = 2.0

[models.checker]
backend = "openai"
base_url = "{url}"
model = "checker-model"

[tiers.general]
models = ["worker"]
task_types = ["general"]
"""


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    return write(tmp_path / "task.md", GOOD_SPEC)


def configure(isolated: Path, server: FakeOpenAI) -> None:
    write(isolated / "home" / "config.toml", CONFIG.format(url=server.base_url))


def wait_for(condition: Callable[[], bool], what: str, deadline: float = 30.0) -> None:
    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def running_record(logs: Path) -> bool:
    for path in logs.glob("*-result.json"):
        try:
            if json.loads(path.read_text())["status"] == "running":
                return True
        except (OSError, ValueError):
            pass
    return False


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "core", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env=dict(os.environ),
    )


def test_resume_sends_the_history_and_keeps_the_session(isolated: Path, spec: Path) -> None:
    with FakeOpenAI([Reply(text="First answer."), Reply(text="Second answer.")]) as server:
        configure(isolated, server)
        first = dispatch("run", "--spec", str(spec), "--slug", "chat", "--json")
        assert first.code == 0, first.stderr
        second = dispatch("resume", "--slug", "chat", "--prompt", "Now make it shorter.", "--json")
        assert second.code == 0, second.stderr
    sent = server.requests[1]["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]
    assert sent[1]["content"] == GOOD_SPEC and sent[2]["content"] == "First answer."
    assert sent[3]["content"] == "Now make it shorter."
    assert server.requests[1]["model"] == "worker-model"
    envelope = second.json()
    assert envelope["kind"] == "resume" and envelope["session_id"] == first.json()["session_id"]
    sessions = dispatch("sessions", "--slug", "chat", "--json").json()
    assert len(sessions) == 1 and sessions[0]["runs"] == 2 and sessions[0]["last_run"] == envelope["run_id"]


def test_resume_keeps_the_sessions_task_type_and_tier(
    isolated: Path, spec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeOpenAI([Reply(text="First answer.")]) as server:
        monkeypatch.setenv("DISPATCH_BASE_URL", server.base_url)
        first = dispatch("run", "--spec", str(spec), "--slug", "bulk", "--task-type", "bulk-coding", "--json").json()
        second = dispatch("resume", "--slug", "bulk", "--prompt", "Now the next file.", "--json").json()
    assert (first["task_type"], first["tier"]) == ("bulk-coding", "coding")
    assert (second["status"], second["task_type"], second["tier"]) == ("ok", "bulk-coding", "coding")


def test_resume_of_a_run_given_a_tier_keeps_that_tier(
    isolated: Path, spec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeOpenAI([Reply(text="First answer.")]) as server:
        monkeypatch.setenv("DISPATCH_BASE_URL", server.base_url)
        first = dispatch("run", "--spec", str(spec), "--slug", "tiered", "--tier", "coding", "--json").json()
        second = dispatch("resume", "--slug", "tiered", "--prompt", "Now the next file.", "--json").json()
    assert (first["task_type"], first["tier"]) == ("general", "coding")
    assert (second["status"], second["model"], second["tier"]) == ("ok", first["model"], "coding")


def test_resume_picks_an_older_session(isolated: Path, spec: Path) -> None:
    with FakeOpenAI([Reply(text="Answer A."), Reply(text="Answer B."), Reply(text="Back to A.")]) as server:
        configure(isolated, server)
        a = dispatch("run", "--spec", str(spec), "--slug", "two", "--json").json()
        b = dispatch("run", "--spec", str(spec), "--slug", "two", "--json").json()
        assert a["status"] == b["status"] == "ok" and a["session_id"] != b["session_id"]
        resumed = dispatch("resume", "--slug", "two", "--session", a["session_id"], "--prompt", "More.", "--json")
        assert resumed.code == 0, resumed.stderr
    assert [m["content"] for m in server.requests[2]["messages"][2:]] == ["Answer A.", "More."]
    sessions = dispatch("sessions", "--slug", "two", "--json").json()
    assert [s["session_id"] for s in sessions] == [a["session_id"], b["session_id"]]


@pytest.mark.parametrize(
    "args, needle",
    [
        (["status", "--slug", "ghost"], "no project 'ghost'"),
        (["resume", "--slug", "ghost", "--prompt", "x"], "no project 'ghost'"),
        (["review", "--slug", "ghost"], "no project 'ghost'"),
        (["runs", "--slug", "Bad Slug"], "invalid slug"),
        (["search", "flask", "--since", "last week"], "is not a date"),
        (["search", "--", '-- "*'], "nothing to search for"),
        (["list", "--sort", "size"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_exit_2(args: list[str], needle: str) -> None:
    result = dispatch(*args)
    assert result.code == 2, result.stderr
    assert needle in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""


def test_resume_of_an_unknown_session_exits_2(isolated: Path, spec: Path) -> None:
    with FakeOpenAI([Reply()]) as server:
        configure(isolated, server)
        assert dispatch("run", "--spec", str(spec), "--slug", "one").code == 0
        result = dispatch("resume", "--slug", "one", "--session", "nope", "--prompt", "x")
    assert result.code == 2 and "no session 'nope'" in result.stderr


def test_damaged_last_result_and_session_files_are_one_line_not_a_traceback(isolated: Path, spec: Path) -> None:
    with FakeOpenAI([Reply()]) as server:
        configure(isolated, server)
        assert dispatch("run", "--spec", str(spec), "--slug", "one").code == 0
        logs = isolated / "projects" / "one" / ".dispatch-logs"
        (logs / "last-result.txt").write_bytes(b"\xff\xfe not utf-8")
        (logs / "last-session-id").write_bytes(b"\xff")
        status = dispatch("status", "--slug", "one", "--json")
        resume = dispatch("resume", "--slug", "one", "--prompt", "go on")
    assert status.code == 0 and status.json()["last_result"].endswith("not utf-8")
    assert status.json()["last_session"] is None
    assert resume.code == 2 and "Traceback" not in resume.stderr and "no session to resume" in resume.stderr


def test_review_by_another_model_records_the_verdict(isolated: Path, spec: Path) -> None:
    replies = [
        Reply(text="Faster start-up and fewer crashes."),
        Reply(text="VERDICT: fail\n- point 2 (the audit browser) is missing\n- otherwise fine"),
    ]
    with FakeOpenAI(replies) as server:
        configure(isolated, server)
        work = dispatch("run", "--spec", str(spec), "--slug", "rev", "--json").json()
        result = dispatch("review", "--slug", "rev", "--json")
    assert result.code == 0, result.stderr
    envelope = result.json()
    assert envelope["kind"] == "review" and envelope["verdict"] == "fail"
    assert envelope["reasons"][0] == "point 2 (the audit browser) is missing"
    assert envelope["reviewed_run_id"] == work["run_id"] and envelope["model"] == "checker"
    review_request = server.requests[1]
    assert review_request["model"] == "checker-model"
    brief = review_request["messages"][-1]["content"]
    assert "Faster start-up and fewer crashes." in brief and "Summarise the three numbered points" in brief
    status = dispatch("status", "--slug", "rev")
    assert "Review: fail" in status.stdout and "Last result:\nFaster start-up and fewer crashes." in status.stdout
    logs = isolated / "projects" / "rev" / ".dispatch-logs"
    meta = json.loads((logs / "project.json").read_text())
    assert meta["last_work_run"] == work["run_id"] and meta["last_session_id"] == work["session_id"]
    runs = dispatch("runs", "--slug", "rev", "--json").json()
    assert [(r["kind"], r["verdict"]) for r in runs] == [("review", "fail"), ("run", None)]


def test_a_run_that_left_nothing_is_not_reviewed(isolated: Path, spec: Path) -> None:
    """A review of '(empty)' used to record a verdict and turn the project's last status to ok."""
    with FakeOpenAI([Reply(status=400, body='{"error": {"message": "bad request"}}')]) as server:
        configure(isolated, server)
        failed = dispatch("run", "--spec", str(spec), "--slug", "empty", "--json")
        sent = len(server.requests)
        result = dispatch("review", "--slug", "empty", "--json")
    assert failed.code != 0 and failed.json()["result"] == ""
    assert result.code == 2 and "with no answer or changes to review" in result.stderr, result.stderr
    assert len(server.requests) == sent, "nothing was sent to a reviewer"
    assert dispatch("status", "--slug", "empty", "--json").json()["project"].get("review_verdict") is None


def test_review_without_a_verdict_line_counts_as_concerns(isolated: Path, spec: Path) -> None:
    with FakeOpenAI([Reply(text="Done."), Reply(text="Looks mostly right to me.")]) as server:
        configure(isolated, server)
        dispatch("run", "--spec", str(spec), "--slug", "vague")
        envelope = dispatch("review", "--slug", "vague", "--model", "worker", "--json").json()
    assert envelope["verdict"] == "concerns" and "no VERDICT line" in envelope["reasons"][0]
    assert dispatch("status", "--slug", "vague", "--json").json()["project"]["review_verdict"] == "concerns"


def test_status_list_and_search(isolated: Path, spec: Path) -> None:
    with FakeOpenAI(
        [Reply(text="Pelicans glide over the harbour.", usage=(100, 50)), Reply(text="Danube, Rhine, Loire.")]
    ) as server:
        configure(isolated, server)
        assert dispatch("run", "--spec", str(spec), "--slug", "birds", "--desc", "seabird notes").code == 0
        other = GOOD_SPEC.replace(
            "Summarise the three numbered points below into one sentence",
            "Name three rivers of Europe, one per numbered point below,",
        )
        assert dispatch("run", "--spec", "-", "--slug", "rivers", "--desc", "geography quiz", input=other).code == 0
    status = dispatch("status", "--slug", "birds")
    assert status.code == 0
    for line in (
        "Project: birds",
        "Description: seabird notes",
        "Status: ok",
        "Tier: general",
        "Tokens: 100 in, 50 out",
        "Cost: $0.000200",
        "Review: -",
        "Turns: 1",
        "Stop reason: -",
    ):
        assert line in status.stdout, line
    data = dispatch("status", "--slug", "birds", "--json").json()
    assert data["last_run"]["status"] == "ok" and data["project"]["runs"] == 1
    assert data["last_result"] == "Pelicans glide over the harbour."

    listing = dispatch("list").stdout.splitlines()
    assert listing[0].split() == ["PROJECT", "DESCRIPTION", "LAST", "RUNS", "COST", "UPDATED"]
    assert listing[1].startswith("rivers") and listing[2].startswith("birds")
    by_name = dispatch("list", "--sort", "name", "--json").json()
    assert [p["slug"] for p in by_name] == ["birds", "rivers"]
    assert [p["slug"] for p in dispatch("list", "--limit", "1", "--sort", "name", "--json").json()] == ["birds"]

    hits = dispatch("search", "rivers Europe", "--json").json()
    assert [h["run"]["slug"] for h in hits] == ["rivers"] and "⟦rivers⟧" in hits[0]["snippet"]
    assert dispatch("search", "seabird", "--json").json()[0]["run"]["slug"] == "birds"
    text = dispatch("search", "pelican*")
    assert text.code == 0 and "birds" in text.stdout and "⟦Pelicans⟧" in text.stdout
    assert dispatch("search", "harbour", "--project", "rivers", "--json").json() == []
    assert dispatch("search", "harbour", "--status", "error", "--json").json() == []
    assert dispatch("search", "harbour", "--since", "2999-01-01", "--json").json() == []
    assert len(dispatch("search", "harbour", "--since", "2000-01-01", "--json").json()) == 1


def test_parallel_runs_over_five_projects_keep_every_record(isolated: Path, spec: Path) -> None:
    with FakeOpenAI([Reply(text="parallel answer", chunks=8)]) as server:
        configure(isolated, server)
        procs = [start("run", "--spec", str(spec), "--slug", f"p{n % 5}", "--wait", "120", "--json") for n in range(20)]
        outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0] * 20, [o[1] for o in outputs]
    envelopes = [json.loads(out) for out, _ in outputs]
    assert len({e["run_id"] for e in envelopes}) == 20
    projects = isolated / "projects"
    for n in range(5):
        logs = projects / f"p{n}" / ".dispatch-logs"
        records = [json.loads(p.read_text()) for p in logs.glob("*-result.json")]
        assert len(records) == 4 and all(r["status"] == "ok" for r in records)
        assert json.loads((logs / "project.json").read_text())["counts"]["runs"] == 4
        assert not list(logs.glob("*.tmp-dispatch-*"))
    with Index.open() as index:
        assert index.count_runs() == 20 and index.count_runs(status="ok") == 20
        assert {p.slug: p.runs for p in index.projects()} == {f"p{n}": 4 for n in range(5)}
        assert index.writer.verify()
        assert {h.run.run_id for h in index.search("parallel", limit=50)} == {e["run_id"] for e in envelopes}


@pytest.fixture
def stalling_server(isolated: Path):
    with FakeOpenAI([Reply(text="partial answer that never ends", chunks=6, hang_after_first=120)]) as server:
        configure(isolated, server)
        yield server


def test_sigkill_mid_stream_leaves_an_interrupted_record(
    isolated: Path, spec: Path, stalling_server: FakeOpenAI
) -> None:
    logs = isolated / "projects" / "killed" / ".dispatch-logs"
    proc = start("run", "--spec", str(spec), "--slug", "killed", "--json")
    wait_for(lambda: running_record(logs) and len(stalling_server.requests) == 1, "the run to be streaming")
    proc.kill()
    proc.wait(timeout=30)
    status = dispatch("status", "--slug", "killed", "--json")
    assert status.code == 0, status.stderr
    data = status.json()
    assert data["last_run"]["status"] == "interrupted" and data["project"]["last_status"] == "interrupted"
    record = json.loads(next(logs.glob("*-result.json")).read_text())
    assert record["status"] == "interrupted" and record["reason"] == "killed"
    events_path = next(logs.glob("*-events.jsonl"))
    events, _ = read_json_lines(events_path)
    assert events[0]["type"] == "RunStarted"
    with events_path.open("a") as handle:
        handle.write('{"type": "TextDelta", "text": "torn')
    kept, skipped = read_json_lines(events_path)
    assert kept == events and skipped == 1
    with Index.open() as index:
        assert index.runs("killed")[0].status == "interrupted"


def test_sigkill_status_marks_the_record_itself(isolated: Path, spec: Path, stalling_server: FakeOpenAI) -> None:
    logs = isolated / "projects" / "killed2" / ".dispatch-logs"
    proc = start("run", "--spec", str(spec), "--slug", "killed2")
    wait_for(lambda: running_record(logs) and len(stalling_server.requests) == 1, "the run to be streaming")
    proc.kill()
    proc.wait(timeout=30)
    status = dispatch("status", "--slug", "killed2")
    assert "Status: interrupted" in status.stdout and "interrupted (their process died)" in status.stderr


@pytest.mark.parametrize("command", [["list", "--json"], ["search", "announcement", "--json"]])
def test_sigkill_then_list_or_search_shows_interrupted(
    isolated: Path, spec: Path, stalling_server: FakeOpenAI, command: list[str]
) -> None:
    logs = isolated / "projects" / "killed3" / ".dispatch-logs"
    proc = start("run", "--spec", str(spec), "--slug", "killed3")
    wait_for(lambda: running_record(logs) and len(stalling_server.requests) == 1, "the run to be streaming")
    proc.kill()
    proc.wait(timeout=30)
    shown = dispatch(*command)
    assert shown.code == 0 and "interrupted (their process died)" in shown.stderr
    rows = shown.json()
    statuses = [r["last_status"] for r in rows] if command[0] == "list" else [h["run"]["status"] for h in rows]
    assert statuses == ["interrupted"]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_sigint_exit_130_and_record_interrupted(
    isolated: Path, spec: Path, stalling_server: FakeOpenAI, signum: int
) -> None:
    logs = isolated / "projects" / "stopped" / ".dispatch-logs"
    proc = start("run", "--spec", str(spec), "--slug", "stopped", "--json")
    wait_for(lambda: running_record(logs) and len(stalling_server.requests) == 1, "the run to be streaming")
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    envelope = json.loads(out)
    assert envelope["status"] == "interrupted" and envelope["reason"] == "signal"
    record = json.loads(Path(envelope["audit_path"]).read_text())
    assert record["status"] == "interrupted" and record["result"] == envelope["result"]
    events, skipped = read_json_lines(logs / f"{envelope['run_id']}-events.jsonl")
    assert skipped == 0 and events[-1]["type"] == "Finished"
    with Index.open() as index:
        assert index.runs("stopped")[0].status == "interrupted"
    assert dispatch("status", "--slug", "stopped", "--json").json()["last_run"]["status"] == "interrupted"


def test_busy_project_exits_6_naming_the_holder(isolated: Path, spec: Path, stalling_server: FakeOpenAI) -> None:
    logs = isolated / "projects" / "busy" / ".dispatch-logs"
    proc = start("run", "--spec", str(spec), "--slug", "busy")
    try:
        wait_for(lambda: running_record(logs), "the first run to start")
        run_id = next(logs.glob("*-result.json")).name.removesuffix("-result.json")
        second = dispatch("run", "--spec", str(spec), "--slug", "busy", "--wait", "0.3", "--json")
        assert second.code == 6
        assert f"pid {proc.pid}" in second.stderr and f"run {run_id}" in second.stderr and "since " in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1
        other = dispatch("status", "--slug", "busy", "--json").json()
        assert other["last_run"]["status"] == "running"
    finally:
        proc.kill()
        proc.wait(timeout=30)


def test_wait_lets_a_second_run_follow_the_first(isolated: Path, spec: Path) -> None:
    with FakeOpenAI([Reply(text="slow", hang_after_first=1.0), Reply(text="next")]) as server:
        configure(isolated, server)
        logs = isolated / "projects" / "queue" / ".dispatch-logs"
        first = start("run", "--spec", str(spec), "--slug", "queue", "--json")
        wait_for(lambda: running_record(logs), "the first run to start")
        second = dispatch("run", "--spec", str(spec), "--slug", "queue", "--wait", "60", "--json")
        first.communicate(timeout=60)
    assert first.returncode == 0 and second.code == 0, second.stderr
    assert dispatch("runs", "--slug", "queue", "--json").json()[0]["run_id"] == second.json()["run_id"]


@pytest.mark.parametrize("damage", ["delete", "garbage"])
def test_a_deleted_or_corrupt_index_is_rebuilt(isolated: Path, spec: Path, damage: str) -> None:
    with FakeOpenAI([Reply(text="kept in files")]) as server:
        configure(isolated, server)
        envelope = dispatch("run", "--spec", str(spec), "--slug", "keep", "--json").json()
    index = isolated / "projects" / ".dispatch-index.sqlite3"
    assert index.is_file()
    for suffix in ("-wal", "-shm"):
        Path(f"{index}{suffix}").unlink(missing_ok=True)
    if damage == "delete":
        index.unlink()
    else:
        index.write_bytes(b"this is not a database" * 400)
    listing = dispatch("list", "--json")
    assert listing.code == 0, listing.stderr
    assert [p["slug"] for p in listing.json()] == ["keep"]
    assert dispatch("search", "kept", "--json").json()[0]["run"]["run_id"] == envelope["run_id"]
    reindex = dispatch("reindex", "--json")
    assert reindex.code == 0 and reindex.json()["runs"] == 1 and reindex.json()["projects"] == 1


def test_secrets_never_reach_the_index(isolated: Path, spec: Path) -> None:
    secret = "sk-proj-abcdefghijklmnopqrstuvwxyz0123"
    with FakeOpenAI([Reply(text=f"echoing {secret} back")]) as server:
        result = dispatch(
            "run",
            "--spec",
            str(spec),
            "--slug",
            "sec",
            "--json",
            env={"DISPATCH_BASE_URL": server.base_url, "DISPATCH_API_KEY": secret},
        )
    assert result.code == 0 and server.headers[0]["authorization"] == f"Bearer {secret}"
    assert dispatch("reindex").code == 0
    assert dispatch("search", "echoing", "--json").json()[0]["run"]["slug"] == "sec"
    for path in (isolated / "projects").glob(".dispatch-index.sqlite3*"):
        assert secret.encode() not in path.read_bytes(), path


def test_an_index_failure_warns_but_never_fails_the_run(isolated: Path, spec: Path) -> None:
    index_path = isolated / "projects" / ".dispatch-index.sqlite3"
    index_path.mkdir(parents=True)
    with FakeOpenAI([Reply(text="saved anyway")]) as server:
        configure(isolated, server)
        result = dispatch("run", "--spec", str(spec), "--slug", "noindex", "--json")
    assert result.code == 0 and result.json()["status"] == "ok"
    assert "warning: the run index was not updated" in result.stderr and "dispatch reindex" in result.stderr
    assert json.loads(Path(result.json()["audit_path"]).read_text())["status"] == "ok"
    index_path.rmdir()
    assert dispatch("search", "saved", "--json").json()[0]["run"]["run_id"] == result.json()["run_id"]


def test_resume_with_a_spec_is_checked_and_sent(isolated: Path, spec: Path) -> None:
    with FakeOpenAI([Reply(text="one"), Reply(text="two")]) as server:
        configure(isolated, server)
        assert dispatch("run", "--spec", str(spec), "--slug", "specs").code == 0
        vague = dispatch("resume", "--slug", "specs", "--spec", "-", "--json", input="Goal: fix it\n")
        assert vague.code == 3 and len(server.requests) == 1
        result = dispatch("resume", "--slug", "specs", "--spec", str(spec), "--json")
    assert result.code == 0, result.stderr
    assert [m["role"] for m in server.requests[1]["messages"]] == ["system", "user", "assistant", "user"]
    assert server.requests[1]["messages"][-1]["content"] == GOOD_SPEC
