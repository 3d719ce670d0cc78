"""`dispatch show`: runs made through the real CLI (the fake OpenAI server on 127.0.0.1, and a `command` agent that
edits a real git repo) read back in full, as text and as the stored data."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.agents.test_worktrees import QUICK, REFACTOR, command_agent, run_spec
from tests.cli.test_inputs_cli import CODING
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import GOOD_SPEC, dispatch, write
from tests.invoices_repo import INVOICES, make_repo

CODE = "```python\ndef parse_invoice(text):\n    return [field.strip() for field in text.split(',')]\n```"
"""The Python code block CODING's Output contract asks for."""


def test_a_run_and_its_resume_read_in_full(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    replies = [
        Reply(text=f"First answer: parse_invoice split.\n{CODE}"),
        Reply(text=f"Second answer, resumed.\n{CODE}"),
    ]
    with FakeOpenAI(replies) as api:
        env = {"DISPATCH_BASE_URL": api.base_url}
        first = dispatch(
            "run",
            "--spec",
            str(write(tmp_path / "task.md", CODING)),
            "--slug",
            "inv",
            "--cwd",
            str(repo),
            "--json",
            env=env,
        )
        assert first.code == 0, first.stderr
        second = dispatch("resume", "--slug", "inv", "--prompt", "now add a docstring", "--json", env=env)
        assert second.code == 0, second.stderr
    run_id, resume_id = first.json()["run_id"], second.json()["run_id"]

    shown = dispatch("show", run_id)
    assert shown.code == 0, shown.stderr
    text = shown.stdout
    assert f"Run: {run_id} (run) in project inv" in text and "Status: ok" in text
    assert "Refactor the parse_invoice()" in text, "the spec is shown"
    assert "First answer: parse_invoice split." in text
    digest = hashlib.sha256(INVOICES.encode()).hexdigest()
    invoice_row = next(line for line in text.splitlines() if line.startswith("src/invoices.py"))
    assert digest in invoice_row and str(len(INVOICES.encode())) in invoice_row, "inputs with size and hash"
    assert f"Followed by: {resume_id} (resume, ok)" in text
    assert "RunStarted" in text and "Finished" in text and "TextDelta x" in text, "the event timeline"

    latest = dispatch("show", "--slug", "inv", "--last")
    assert latest.code == 0, latest.stderr
    assert f"Run: {resume_id} (resume)" in latest.stdout and f"Parent run: {run_id}" in latest.stdout
    assert "now add a docstring" in latest.stdout and "Second answer, resumed." in latest.stdout


def test_json_events_and_raw_print_the_stored_data(tmp_path: Path) -> None:
    with FakeOpenAI([Reply(text=f"Stored answer.\n{CODE}")]) as api:
        made = dispatch(
            "run",
            "--spec",
            str(write(tmp_path / "task.md", CODING)),
            "--slug",
            "one",
            "--json",
            env={"DISPATCH_BASE_URL": api.base_url},
        )
    assert made.code == 0, made.stderr
    envelope = made.json()
    record_path = Path(envelope["audit_path"])
    as_json = dispatch("show", envelope["run_id"], "--json")
    assert as_json.code == 0 and as_json.json() == json.loads(record_path.read_text())
    events = dispatch("show", "--slug", "one", "--events")
    events_path = record_path.with_name(record_path.name.replace("-result.json", "-events.jsonl"))
    assert events.code == 0 and events.stdout == events_path.read_text()
    raw = dispatch("show", "--slug", "one", "--raw")
    stored_raw = json.loads(record_path.read_text())["raw"]
    assert (
        raw.code == 0 and raw.stdout.rstrip("\n") == stored_raw.rstrip("\n") and "chat.completion.chunk" in raw.stdout
    )
    both = dispatch("show", "--slug", "one", "--json", "--raw")
    assert both.code == 2 and "not allowed with" in both.stderr


def test_an_agent_run_shows_its_changes_and_verification(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    command_agent(tmp_path / "home", REFACTOR)
    made = run_spec(tmp_path, repo)
    assert made.code == 0, made.stderr + made.stdout
    shown = dispatch("show", made.json()["run_id"])
    assert shown.code == 0, shown.stderr
    changes = shown.stdout.split("== Changes ==\n", 1)[1].split("\n\n", 1)[0]
    assert f"dispatch/inv/{made.json()['run_id']}" in changes and "modified  src/invoices.py  +2 -2" in changes
    assert "passed: `true` exit 0" in shown.stdout
    assert QUICK.splitlines()[0] in shown.stdout


def test_a_run_that_is_not_there_is_one_line(tmp_path: Path) -> None:
    for argv, said in (
        (["20990101-000000-1-1"], "no run 20990101-000000-1-1 in any project"),
        (["--slug", "ghost"], "no project 'ghost'"),
        (["../etc"], "invalid run id"),
        ([], "name a run"),
        (["--slug", "Bad Slug"], "invalid slug"),
    ):
        result = dispatch("show", *argv)
        assert result.code == 2 and result.stdout == "", argv
        assert said in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_damaged_record_or_event_log_is_reported_not_a_traceback(tmp_path: Path) -> None:
    with FakeOpenAI([Reply(text=CODE)]) as api:
        made = dispatch(
            "run",
            "--spec",
            str(write(tmp_path / "task.md", CODING)),
            "--slug",
            "torn",
            "--json",
            env={"DISPATCH_BASE_URL": api.base_url},
        )
    assert made.code == 0, made.stderr
    record_path = Path(made.json()["audit_path"])
    events_path = record_path.with_name(record_path.name.replace("-result.json", "-events.jsonl"))
    with events_path.open("a") as log:
        log.write('{"type": "Finished", "env\n' * 3)
    shown = dispatch("show", "--slug", "torn")
    assert shown.code == 0, shown.stderr
    assert "(unreadable line) x3" in shown.stdout and "RunStarted" in shown.stdout

    record_path.write_text(json.dumps({"run_id": "x", "usage": "not a mapping"}))
    edited = dispatch("show", "--slug", "torn")
    assert edited.code == 1 and edited.stdout == "" and "not in the shape of a run record" in edited.stderr
    assert len(edited.stderr.strip().splitlines()) == 1 and "Traceback" not in edited.stderr
    record_path.write_text("[1, 2]")
    listed = dispatch("show", "--slug", "torn")
    assert listed.code == 1 and "not in the shape of a run record" in listed.stderr and "Traceback" not in listed.stderr
    assert dispatch("show", "--slug", "torn", "--json").json() == [1, 2], "--json still prints what is stored"


def test_a_review_shows_its_verdict_and_links_both_ways(isolated: Path) -> None:
    from tests.cli.test_projects_cli import configure

    replies = [Reply(text="Faster start-up and fewer crashes."), Reply(text="VERDICT: fail\n- point 2 is missing")]
    with FakeOpenAI(replies) as server:
        configure(isolated, server)
        work = dispatch("run", "--spec", str(write(isolated / "task.md", GOOD_SPEC)), "--slug", "rev", "--json").json()
        review = dispatch("review", "--slug", "rev", "--json").json()
    shown = dispatch("show", review["run_id"])
    assert shown.code == 0, shown.stderr
    assert "(review) in project rev" in shown.stdout and "Model: checker (openai)" in shown.stdout
    assert "== Review verdict ==\nfail\n  - point 2 is missing" in shown.stdout
    assert f"Reviewed run: {work['run_id']}" in shown.stdout
    assert f"Followed by: {review['run_id']} (review, ok)" in dispatch("show", work["run_id"]).stdout
