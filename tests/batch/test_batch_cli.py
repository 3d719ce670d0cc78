"""`dispatch batch` end to end against fake model servers on 127.0.0.1: manifests, concurrency and ordering,
429s, 500s and hangs, budgets, rejected items, agents through the command backend, SIGKILL and resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import GOOD_SPEC, ROOT, Result, dispatch, write


def spec(n: int, marker: str = "") -> str:
    return GOOD_SPEC.replace("3. Fewer crashes.", f"3. Fewer crashes. Item {n}. {marker}")


def configure(home: Path, base_url: str, **model: Any) -> None:
    table = {
        "models": {"fake": {"base_url": base_url, "model": "fake-model", **model}},
        "tiers": {"general": {"models": ["fake"], "task_types": ["general"]}},
    }
    budgets = model.pop("budgets", None)
    if budgets:
        table["budgets"] = budgets
        del table["models"]["fake"]["budgets"]
    write(home / "config.toml", tomli_w.dumps(table))


def lines(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def prompt_of(body: dict[str, Any]) -> str:
    return body["messages"][-1]["content"]


def run_files(projects: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in projects.glob("*/.dispatch-logs/*-result.json")]


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI([Reply(text="done")]) as fake:
        yield fake


def test_a_directory_of_specs_runs_as_jsonl_envelopes_and_a_summary(
    tmp_path: Path, server: FakeOpenAI, projects_dir: Path
) -> None:
    configure(tmp_path / "home", server.base_url, price_in=1.0, price_out=2.0)
    for n in range(6):
        write(tmp_path / "specs" / f"s{n}.md", spec(n))
    result = dispatch("batch", str(tmp_path / "specs"), "-j", "3", "--json")
    assert result.code == 0, result.stderr
    *envelopes, summary = lines(result)
    assert len(envelopes) == 6 and {e["status"] for e in envelopes} == {"ok"}
    assert sorted(e["batch_item"] for e in envelopes) == [1, 2, 3, 4, 5, 6]
    assert summary["type"] == "summary" and summary["ok"] == 6 and summary["total"] == 6
    assert len({e["slug"] for e in envelopes}) == 6  # same goal, different projects, so they ran in parallel
    assert len(server.requests) == 6
    assert sorted(prompt_of(b).split("Item ")[1][0] for b in server.requests) == [str(n) for n in range(6)]
    assert summary["cost_usd"] == pytest.approx(sum(e["cost_usd"] for e in envelopes))
    assert all(r["batch_id"] == summary["batch_id"] and r["status"] == "ok" for r in run_files(projects_dir))
    listed = dispatch("list", "--json").json()
    assert len(listed) == 6 and {p["runs"] for p in listed} == {1}  # the index took the batch's rows
    costs = dispatch("costs", "--by", "model", "--json").json()
    assert costs[0]["model"] == "fake" and costs[0]["runs"] == 6
    assert costs[0]["cost_usd"] == pytest.approx(summary["cost_usd"])
    by_day = dispatch("costs", "--by", "day", "--json").json()
    days = {r["started_at"][:10] for r in run_files(projects_dir)}
    assert [(d["day"], d["runs"]) for d in by_day] == [
        (day, n)
        for day in sorted(days, reverse=True)
        for n in [sum(r["started_at"][:10] == day for r in run_files(projects_dir))]
    ]
    assert dispatch("costs", "--since", "2999-01-01", "--json").json() == []
    assert "batch: 6/6 done" in result.stderr


def test_same_project_items_run_in_manifest_order_one_at_a_time(tmp_path: Path, projects_dir: Path) -> None:
    with FakeOpenAI([Reply(text="ok", hang=0.2)]) as server:
        configure(tmp_path / "home", server.base_url)
        rows = [{"spec": spec(n), "slug": "shared"} for n in range(4)] + [{"spec": spec(9), "slug": "apart"}]
        work = write(tmp_path / "work.jsonl", "\n".join(json.dumps(r) for r in rows))
        result = dispatch("batch", str(work), "-j", "5", "--json")
    assert result.code == 0, result.stderr
    shared = sorted((r for r in run_files(projects_dir) if r["slug"] == "shared"), key=lambda r: r["started_at"])
    assert [r["batch_item"] for r in shared] == [1, 2, 3, 4]
    for before, after in zip(shared, shared[1:], strict=False):
        assert after["started_at"] >= before["finished_at"]


@pytest.mark.parametrize("processes", ["1", "2"])
def test_a_429_retry_after_cools_the_model_for_every_item(tmp_path: Path, processes: str) -> None:
    replies = [Reply(status=429, headers={"Retry-After": "1"}, body='{"error": {"message": "slow down"}}')]
    limited = {"sent": False}

    def choose(body: dict[str, Any]) -> Reply:
        if not limited["sent"]:
            limited["sent"] = True
            return replies[0]
        return Reply(text="fine")

    with FakeOpenAI(choose=choose) as server:
        # One request in flight at a time: the next item's request goes the moment the 429 comes back, unless the
        # cooldown the 429 set holds it too.
        configure(tmp_path / "home", server.base_url, max_concurrency=1)
        for n in range(5):
            write(tmp_path / "specs" / f"s{n}.md", spec(n))
        result = dispatch("batch", str(tmp_path / "specs"), "-j", "5", "-P", processes, "--json")
        times = list(server.times)
    assert result.code == 0, result.stderr
    *envelopes, summary = lines(result)
    assert summary["ok"] == 5 and len(times) == 6
    assert all(t >= times[0] + 1.0 for t in times[1:])
    retried = [e for e in envelopes if len(e["attempts"]) == 2]
    assert len(retried) == 1 and retried[0]["attempts"][0]["status"] == "rate_limited"


def test_500s_and_hangs_fail_their_items_and_the_rest_finish(tmp_path: Path) -> None:
    def choose(body: dict[str, Any]) -> Reply:
        text = prompt_of(body)
        if "BROKEN" in text:
            return Reply(status=500, body='{"error": {"message": "boom"}}')
        if "HANG" in text:
            return Reply(hang=30)
        return Reply(text="fine")

    with FakeOpenAI(choose=choose) as server:
        configure(tmp_path / "home", server.base_url)
        write(tmp_path / "specs" / "a.md", spec(1))
        write(tmp_path / "specs" / "b.md", spec(2, "BROKEN"))
        write(tmp_path / "specs" / "c.md", spec(3, "HANG"))
        write(tmp_path / "specs" / "d.md", spec(4))
        result = dispatch("batch", str(tmp_path / "specs"), "--timeout", "2", "--json", timeout=90)
    assert result.code == 1
    *envelopes, summary = lines(result)
    by_item = {e["batch_item"]: e for e in envelopes}
    assert by_item[1]["status"] == "ok" and by_item[4]["status"] == "ok"
    assert by_item[2]["status"] == "error" and "500" in by_item[2]["error"] and len(by_item[2]["attempts"]) == 3
    assert by_item[3]["status"] == "timeout"
    assert summary["ok"] == 2 and summary["failed"] == 2
    assert "--resume" in result.stderr


@pytest.mark.parametrize("flags", [["-j", "1"], ["-j", "4", "-P", "2"]], ids=["one-process", "two-workers"])
def test_a_budget_stops_launching_part_way(tmp_path: Path, projects_dir: Path, flags: list[str]) -> None:
    # The fake reports fewer tokens than the estimate (core/tokens.py's estimate of the prompt + max_tokens), so every admitted item fits.
    with FakeOpenAI([Reply(text="fine", usage=(100, 50))]) as server:
        configure(tmp_path / "home", server.base_url, price_in=1000.0, price_out=1000.0, max_tokens=50)
        for n in range(8):
            write(tmp_path / "specs" / f"s{n:02d}.md", spec(n))
        result = dispatch("batch", str(tmp_path / "specs"), *flags, "--max-cost", "0.8", "--json")
        sent = len(server.requests)
    assert result.code == 1
    *envelopes, summary = lines(result)
    ran = [e for e in envelopes if e["status"] == "ok"]
    skipped = [e for e in envelopes if e["status"] == "skipped"]
    assert ran and skipped and len(ran) + len(skipped) == 8
    assert all(e["reason"] == "budget" and e["run_id"] == "" and "batch budget" in e["error"] for e in skipped)
    assert sent == len(ran) and summary["cost_usd"] <= 0.8 and summary["stopped"] == "budget"
    assert sum(r["cost_usd"] for r in run_files(projects_dir)) <= 0.8  # what the runs themselves say they spent
    assert max(e["batch_item"] for e in ran) < min(e["batch_item"] for e in skipped)


def test_a_single_run_over_its_budget_is_refused_with_the_numbers(tmp_path: Path, server: FakeOpenAI) -> None:
    configure(
        tmp_path / "home", server.base_url, price_in=1000.0, price_out=1000.0, max_tokens=100, budgets={"run": 0.01}
    )
    result = dispatch("run", "--spec", str(write(tmp_path / "t.md", GOOD_SPEC)), "--json")
    assert result.code == 2 and result.json()["reason"] == "budget"
    assert "per-run budget of $0.0100" in result.stderr and "estimated at $" in result.stderr
    assert server.requests == []


def test_rejected_items_are_reported_together_and_nothing_is_sent(
    tmp_path: Path, server: FakeOpenAI, projects_dir: Path
) -> None:
    configure(tmp_path / "home", server.base_url)
    write(tmp_path / "specs" / "good.md", spec(1))
    write(tmp_path / "specs" / "no-goal.md", "Just do the thing.\n")
    write(tmp_path / "specs" / "prose.md", spec(2).replace("Task type: general", "Task type: shipped-prose"))
    result = dispatch("batch", str(tmp_path / "specs"), "--json")
    assert result.code == 3 and server.requests == []
    assert not list(projects_dir.glob("*/.dispatch-logs")) and not (projects_dir / ".dispatch-batches").exists()
    rejected = [line for line in result.stderr.splitlines() if line.startswith("dispatch: rejected item")]
    assert len(rejected) == 2 and any("no-goal.md" in line for line in rejected)
    assert any("never dispatched" in line for line in rejected)
    assert {e["status"] for e in lines(result)} == {"rejected"}
    skipping = dispatch("batch", str(tmp_path / "specs"), "--skip-rejected", "--json")
    assert skipping.code == 1 and len(server.requests) == 1
    *envelopes, summary = lines(skipping)
    assert summary["ok"] == 1 and summary["rejected"] == 2


def test_template_rows_reach_the_model_filled(tmp_path: Path, server: FakeOpenAI) -> None:
    configure(tmp_path / "home", server.base_url)
    template = write(tmp_path / "classify.md", GOOD_SPEC.replace("1. Faster start-up.", "1. Ticket {ticket}: {title}."))
    rows = write(tmp_path / "tickets.csv", 'ticket,title\nT-1,"Crash on start, twice"\nT-2,Slow search\n')
    result = dispatch("batch", "--template", str(template), "--rows", str(rows), "--json")
    assert result.code == 0, result.stderr
    prompts = sorted(prompt_of(b) for b in server.requests)
    assert "1. Ticket T-1: Crash on start, twice." in prompts[0] and "1. Ticket T-2: Slow search." in prompts[1]
    bad = dispatch("batch", "--template", str(template), "--rows", str(write(tmp_path / "t.csv", "ticket\nT-3\n")))
    assert bad.code == 3 and "{title}" in bad.stderr


def test_agent_items_run_through_the_command_backend_within_their_own_limit(tmp_path: Path, projects_dir: Path) -> None:
    tool = write(
        tmp_path / "tool.py", "import sys, time\ntime.sleep(0.3)\nprint('agent says', len(sys.stdin.read()))\n"
    )
    write(
        tmp_path / "home" / "config.toml",
        tomli_w.dumps(
            {
                "models": {"agent": {"backend": "command", "args": [sys.executable, str(tool)]}},
                "tiers": {"general": {"models": ["agent"], "task_types": ["general"]}},
            }
        ),
    )
    for n in range(3):
        write(tmp_path / "specs" / f"s{n}.md", spec(n))
    result = dispatch("batch", str(tmp_path / "specs"), "-j", "8", "--agents", "1", "--json")
    assert result.code == 0, result.stderr
    *envelopes, summary = lines(result)
    assert summary["ok"] == 3 and all(e["backend"] == "command" and "agent says" in e["result"] for e in envelopes)
    runs = sorted(run_files(projects_dir), key=lambda r: r["started_at"])
    for before, after in zip(runs, runs[1:], strict=False):
        assert after["started_at"] >= before["finished_at"]  # --agents 1: never two agents at once


def start_batch(*args: str) -> subprocess.Popen[str]:
    """`dispatch batch ARGS` left running, for a test to signal."""
    return subprocess.Popen(
        [sys.executable, "-m", "core", "batch", *args],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def batch_dir(projects: Path) -> Path:
    found = list((projects / ".dispatch-batches").glob("batch-*"))
    return found[0] if found else projects / ".dispatch-batches" / "none"


def finished_lines(directory: Path) -> int:
    path = directory / "items.jsonl"
    if not path.exists():
        return 0
    return sum('"state": "finished"' in line for line in path.read_text().splitlines())


def test_a_batch_killed_outright_resumes_with_its_finished_items_intact(tmp_path: Path, projects_dir: Path) -> None:
    with FakeOpenAI([Reply(text="ok", hang=0.4)]) as server:
        configure(tmp_path / "home", server.base_url)
        for n in range(6):
            write(tmp_path / "specs" / f"s{n}.md", spec(n))
        proc = start_batch(str(tmp_path / "specs"), "-j", "1", "--json")
        deadline = time.monotonic() + 60
        while finished_lines(batch_dir(projects_dir)) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        directory = batch_dir(projects_dir)
        done_before = finished_lines(directory)
        assert 2 <= done_before < 6
        sent_before = len(server.requests)
        listed = dispatch("batch", "--list", "--json").json()
        assert listed[0]["status"] == "killed" and listed[0]["batch_id"] == directory.name
        result = dispatch("batch", "--resume", directory.name, "--json")
        sent_after = len(server.requests) - sent_before
    assert result.code == 0, result.stderr
    *envelopes, summary = lines(result)
    assert summary["ok"] == 6 and summary["batch_id"] == directory.name
    assert len(envelopes) == sent_after and sent_after <= 6 - done_before
    runs = run_files(projects_dir)
    assert sum(r["status"] == "ok" for r in runs) == 6
    assert all(r["status"] in ("ok", "interrupted") for r in runs)
    again = dispatch("batch", "--resume", directory.name, "--json")
    assert again.code == 0 and lines(again)[-1]["ok"] == 6 and len(lines(again)) == 1


@pytest.mark.parametrize("processes", ["1", "2"])
def test_sigint_stops_launching_interrupts_in_flight_and_exits_130(
    tmp_path: Path, projects_dir: Path, processes: str
) -> None:
    with FakeOpenAI([Reply(hang=30)]) as server:
        configure(tmp_path / "home", server.base_url)
        for n in range(5):
            write(tmp_path / "specs" / f"s{n}.md", spec(n))
        proc = start_batch(str(tmp_path / "specs"), "-j", "2", "-P", processes, "--json")
        deadline = time.monotonic() + 60
        while len(server.requests) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        sent = len(server.requests)
    assert proc.returncode == 130, err
    records = [json.loads(line) for line in out.splitlines()]
    *envelopes, summary = records
    assert sent == 2 and summary["stopped"] == "interrupted" and summary["not_started"] == 3
    assert (summary["interrupted"], summary["failed"], summary["ok"]) == (2, 0, 0)  # stopped is not failed
    assert "0 ok, 0 failed, 2 interrupted" in err
    assert [e["status"] for e in envelopes] == ["interrupted", "interrupted"]
    assert sorted(r["status"] for r in run_files(projects_dir)) == ["interrupted", "interrupted"]
    assert [r["reason"] for r in run_files(projects_dir)] == ["signal", "signal"]
    assert json.loads((batch_dir(projects_dir) / "batch.json").read_text())["status"] == "interrupted"


@pytest.mark.parametrize("processes", ["1", "2"])
def test_cancel_from_another_process_stops_the_batch_and_resume_runs_the_rest(
    tmp_path: Path, projects_dir: Path, processes: str
) -> None:
    for n in range(4):
        write(tmp_path / "specs" / f"s{n}.md", spec(n))
    with FakeOpenAI([Reply(hang=30)]) as slow:
        configure(tmp_path / "home", slow.base_url)
        proc = start_batch(str(tmp_path / "specs"), "-j", "2", "-P", processes, "--json")
        deadline = time.monotonic() + 60
        while len(slow.requests) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        batch_id = batch_dir(projects_dir).name
        cancelled = dispatch("batch", "--cancel", batch_id)
        out, err = proc.communicate(timeout=60)
    assert cancelled.code == 0, cancelled.stderr
    assert cancelled.stdout.startswith(f"cancelled {batch_id}: 0 ok, 0 failed, 2 interrupted, 2 not started")
    assert proc.returncode == 130 and "cancel requested from elsewhere" in err
    assert sorted(r["status"] for r in run_files(projects_dir)) == ["interrupted", "interrupted"]
    assert {(r["reason"], r["error"]) for r in run_files(projects_dir)} == {("cancelled", "cancelled on request")}
    again = dispatch("batch", "--cancel", batch_id)
    assert again.code == 2 and "is not running (it is interrupted)" in again.stderr
    assert f"--resume {batch_id}" in again.stderr
    with FakeOpenAI([Reply(text="done")]) as fast:
        configure(tmp_path / "home", fast.base_url)
        resumed = dispatch("batch", "--resume", batch_id, "--json")
    assert resumed.code == 0 and lines(resumed)[-1]["ok"] == 4, "the old request does not stop the resumed batch"


def test_a_large_processes_count_is_capped_at_the_items_and_an_absurd_one_refused(
    tmp_path: Path, server: FakeOpenAI
) -> None:
    from core.batch import procs

    configure(tmp_path / "home", server.base_url)
    write(tmp_path / "one.md", spec(1))
    result = dispatch("batch", str(tmp_path / "one.md"), "-P", str(procs.most()), "--json", timeout=60)
    assert result.code == 0, result.stderr
    assert lines(result)[-1]["ok"] == 1
    absurd = dispatch("batch", str(tmp_path / "one.md"), "-P", "10000")
    assert absurd.code == 2 and len(absurd.stderr.splitlines()) == 1
    assert f"from 1 to {procs.most()} ({procs.PROCESSES_PER_CPU} per CPU)" in absurd.stderr


def test_bad_input_is_one_line(tmp_path: Path) -> None:
    assert dispatch("batch").code == 2
    missing = dispatch("batch", str(tmp_path / "none.jsonl"))
    assert missing.code == 2 and len(missing.stderr.splitlines()) == 1 and "no such file" in missing.stderr
    resume = dispatch("batch", "--resume", "../../etc")
    assert resume.code == 2 and "not a batch id" in resume.stderr
    assert dispatch("batch", "--resume", "batch-20260101-000000-1").code == 2
    cost = dispatch("batch", str(tmp_path), "--max-cost", "nan")
    assert cost.code == 2 and "USD" in cost.stderr
    assert dispatch("costs", "--by", "colour").code == 2
    cancel = dispatch("batch", "--cancel", "batch-20260101-000000-1")
    assert cancel.code == 2 and "no batch batch-20260101-000000-1 on record" in cancel.stderr
    assert dispatch("batch", "x.jsonl", "--cancel", "batch-20260101-000000-1").code == 2
    assert dispatch("batch", "--list", "--cancel", "batch-20260101-000000-1").code == 2, "not a silent --list"


def test_lines_of_items_jsonl_that_are_json_but_not_records_are_skipped(tmp_path: Path, projects_dir: Path) -> None:
    with FakeOpenAI([Reply(text="ok")]) as server:
        configure(tmp_path / "home", server.base_url)
        first = dispatch("batch", str(write(tmp_path / "s.md", spec(1))), "--json")
        directory = batch_dir(projects_dir)
        foreign = ["[1, 2]", '"text"', '{"item": "one", "state": 5}', '{"item": 1, "state": "x", "cost_usd": "lots"}']
        with (directory / "items.jsonl").open("a") as items:
            items.write("\n".join(foreign) + "\n")
        listed = dispatch("batch", "--list", "--json")
        resumed = dispatch("batch", "--resume", directory.name, "--json")
        sent = len(server.requests)
    assert first.code == 0 and listed.code == 0 and resumed.code == 0, listed.stderr + resumed.stderr
    assert listed.json()[0]["ok"] == 1 and lines(resumed)[-1]["ok"] == 1 and sent == 1


def test_a_reader_that_goes_away_stops_the_batch_and_its_runs_say_why(tmp_path: Path, projects_dir: Path) -> None:
    """`dispatch batch --json | head -1`: the next line has nowhere to go, so the batch stops as on SIGINT, and what
    was in flight is recorded interrupted because its output was closed, not 'by a signal'."""
    second, third = threading.Event(), threading.Event()
    replies = [Reply(text="first"), Reply(text="second", gate=second), Reply(text="third", gate=third)]
    with FakeOpenAI(replies) as server:
        configure(tmp_path / "home", server.base_url)
        for n in range(3):
            write(tmp_path / "specs" / f"s{n}.md", spec(n))
        proc = start_batch(str(tmp_path / "specs"), "-j", "3", "-P", "1", "--json")
        assert proc.stdout is not None
        assert json.loads(proc.stdout.readline())["status"] == "ok"
        proc.stdout.close()
        second.set()  # its line finds the pipe closed
        _, err = proc.communicate(timeout=60)
        third.set()
    assert proc.returncode == 130 and "Traceback" not in err, err
    stopped = [r for r in run_files(projects_dir) if r["status"] == "interrupted"]
    assert [r["reason"] for r in stopped] == ["output_closed"]


def test_checking_prints_a_plain_progress_line_every_interval(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from core.cli import batch_cmd

    monkeypatch.setattr(batch_cmd, "PLAIN_EVERY_S", 0.0)
    progress = batch_cmd.Progress(json_mode=True)
    progress.checked(40_000, 100_001)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == "batch: checked 40,000/100,001 items\n"
    monkeypatch.setattr(batch_cmd, "PLAIN_EVERY_S", 3600.0)
    progress.checked(40_001, 100_001)
    assert capsys.readouterr().err == "", "not again before the interval has passed"


def test_a_resume_refuses_an_edited_manifest_or_options_in_one_line(tmp_path: Path, projects_dir: Path) -> None:
    """A field of the wrong type in manifest.json or batch.json is refused where the trail is read back, exit 2 with
    the file named and the --json envelope, not a traceback in the check phase or the budget."""
    with FakeOpenAI([Reply(text="ok")]) as server:
        configure(tmp_path / "home", server.base_url)
        assert dispatch("batch", str(write(tmp_path / "s.md", spec(1))), "--json").code == 0
        directory = batch_dir(projects_dir)
        (directory / "items.jsonl").write_text("")  # so that the item must run again
        results = []
        for name, edit in (
            ("manifest.json", lambda m: m["items"][0].update(spec_text=5)),
            ("batch.json", lambda m: m["options"].update(max_cost="1.5")),
            ("batch.json", lambda m: m.update(options=[1])),
        ):
            path = directory / name
            kept = path.read_text()
            edited = json.loads(kept)
            edit(edited)
            path.write_text(json.dumps(edited))
            results.append((path, dispatch("batch", "--resume", directory.name, "--json")))
            path.write_text(kept)
        sent = len(server.requests)
    for path, result in results:
        assert result.code == 2 and "Traceback" not in result.stderr, result.stderr
        assert len(result.stderr.splitlines()) == 1 and str(path) in result.stderr
        assert result.json()["reason"] == "usage" and str(path) in result.json()["error"]
    assert "item 1: spec_text is int" in results[0][1].stderr
    assert "options.max_cost" in results[1][1].stderr and "options in" in results[2][1].stderr
    assert sent == 1, "only the first batch reached the model"


def test_a_resume_uses_the_recorded_cwd_and_refuses_once_it_is_gone(tmp_path: Path, projects_dir: Path) -> None:
    """The inputs of a resumed batch are read where the batch said they were, whatever directory resumes it."""
    work = tmp_path / "work"
    write(work / "code.py", "def f(): return 1\n")
    write(
        work / "ins.md",
        "# Goal\nExplain what the file does so that a reviewer understands it.\n\n# Non-goals\nNone.\n\n"
        "# Inputs\n- `code.py`\n\n# Output\nOne sentence of plain text.\n\n# Escalation\nNone.\n",
    )
    with FakeOpenAI([Reply(text="ok")]) as server:
        configure(tmp_path / "home", server.base_url)
        first = dispatch(
            "batch", str(work / "ins.md"), "--cwd", "work", "--json", cwd=tmp_path, env={"PYTHONPATH": str(ROOT)}
        )
        directory = batch_dir(projects_dir)
        (directory / "items.jsonl").write_text("")
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        resumed = dispatch("batch", "--resume", directory.name, "--json", cwd=elsewhere, env={"PYTHONPATH": str(ROOT)})
        for path in work.iterdir():
            path.unlink()
        work.rmdir()
        gone = dispatch("batch", "--resume", directory.name, "--json", cwd=elsewhere, env={"PYTHONPATH": str(ROOT)})
        sent = len(server.requests)
    assert first.code == 0, first.stderr
    assert json.loads((directory / "batch.json").read_text())["options"]["cwd"] == str(work)
    assert resumed.code == 0, resumed.stderr
    assert [i["path"] for i in lines(resumed)[0]["inputs"]] == ["code.py"]
    assert gone.code == 2 and len(gone.stderr.splitlines()) == 1 and "no longer a directory" in gone.stderr
    assert sent == 2
