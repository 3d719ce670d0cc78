"""`dispatch batch -P N`: items shared between worker processes give what one process gives (statuses, slugs,
the trail), and a parent killed outright leaves no worker running and a batch that resumes. The budget, the
rate limits and SIGINT across workers are in test_batch_cli.py, run both ways."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import Any

from core.batch import procs
from tests.batch.test_batch_cli import (
    batch_dir,
    configure,
    finished_lines,
    lines,
    prompt_of,
    run_files,
    spec,
    start_batch,
)
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import dispatch, write

ITEMS = 8


def outcome(projects: Path, result_lines: list[dict[str, Any]]) -> dict[str, Any]:
    """What must not depend on how many processes ran the batch: each item's status, project and reason, the
    summary's counts, and each item's last word in the trail."""
    *envelopes, summary = result_lines
    trail: dict[int, dict[str, Any]] = {}
    for line in (batch_dir(projects) / "items.jsonl").read_text().splitlines():
        record = json.loads(line)
        trail[record["item"]] = {k: record.get(k) for k in ("state", "status", "slug", "reason")}
    return {
        "items": sorted((e["batch_item"], e["status"], e["slug"], e["reason"]) for e in envelopes),
        "summary": {k: summary[k] for k in ("total", "ok", "failed", "skipped", "rejected", "not_started")},
        "trail": trail,
        "runs": sorted((r["slug"], r["status"]) for r in run_files(projects)),
    }


def test_two_workers_give_what_one_process_gives(tmp_path: Path) -> None:
    def choose(body: dict[str, Any]) -> Reply:
        if "BROKEN" in prompt_of(body):
            return Reply(status=400, body='{"error": {"message": "bad request"}}')
        return Reply(text="fine", usage=(10, 5))

    for n in range(ITEMS):
        write(tmp_path / "specs" / f"s{n}.md", spec(n, "BROKEN" if n == 3 else ""))
    write(tmp_path / "specs" / "same-a.md", "slug: shared\n\n" + spec(90))
    outcomes = []
    with FakeOpenAI(choose=choose) as server:
        configure(tmp_path / "home", server.base_url, price_in=1.0, price_out=2.0)
        for processes in ("1", "2"):
            projects = tmp_path / f"projects-{processes}"
            result = dispatch(
                "batch", str(tmp_path / "specs"), "-j", "4", "-P", processes, "--json",
                env={"DISPATCH_PROJECTS_DIR": str(projects)},
            )  # fmt: skip
            assert result.code == 1, result.stderr
            outcomes.append(outcome(projects, lines(result)))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0]["summary"]["ok"] == ITEMS and outcomes[0]["summary"]["failed"] == 1


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for whoever inherited it to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def test_a_killed_parent_leaves_no_worker_and_the_batch_resumes(tmp_path: Path, projects_dir: Path) -> None:
    with FakeOpenAI([Reply(text="ok", hang=0.4)]) as server:
        configure(tmp_path / "home", server.base_url)
        for n in range(ITEMS):
            write(tmp_path / "specs" / f"s{n}.md", spec(n))
        proc = start_batch(str(tmp_path / "specs"), "-j", "2", "-P", "2", "--json")
        deadline = time.monotonic() + 60
        while finished_lines(batch_dir(projects_dir)) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        workers = children(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        assert len(workers) == 2
        deadline = time.monotonic() + procs.STOP_S
        while any(map(alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(map(alive, workers))
        directory = batch_dir(projects_dir)
        done_before = finished_lines(directory)
        assert 2 <= done_before < ITEMS
        result = dispatch("batch", "--resume", directory.name, "-P", "2", "--json")
    assert result.code == 0, result.stderr
    assert lines(result)[-1]["ok"] == ITEMS
    runs = run_files(projects_dir)
    assert sum(r["status"] == "ok" for r in runs) == ITEMS
    assert all(r["status"] in ("ok", "interrupted") for r in runs)
