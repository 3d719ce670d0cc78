"""Real dispatch processes killed with SIGKILL at random moments mid-stream, and several writers at once: every
file stays whole, every count matches the files, every project's hash chain verifies, and the index passes FTS5's
integrity-check with rank 1."""

from __future__ import annotations

import json
import os
import random
import shlex
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.audit import chain
from core.audit.index import Index
from core.audit.store import Project
from core.fsutil import read_json_lines
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import GOOD_SPEC, ROOT, dispatch, write

KILLS = 12
SEED = int(os.environ.get("DISPATCH_KILL_SEED", "20261202"))


def start(spec: Path, slug: str, base_url: str, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "core", "run", "--spec", str(spec), "--slug", slug, "--json", *args],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "DISPATCH_BASE_URL": base_url},
    )


def check_integrity(slugs: list[str]) -> int:
    """Every record parses and is finished, every events log has at most a torn last line, counts match the files,
    and the index holds exactly the files' runs and passes the full check. Returns how many runs there are."""
    total = 0
    for slug in slugs:
        project = Project.at(slug)
        if not project.exists():
            continue
        run_ids = project.run_ids()
        for run_id in run_ids:
            record = json.loads(project.result_path(run_id).read_text())
            assert record["status"] != "running", (slug, run_id)
            events, skipped = read_json_lines(project.events_path(run_id))
            assert skipped <= 1 and (not events or events[0]["type"] == "RunStarted"), (slug, run_id)
        assert project.meta()["counts"]["runs"] == len(run_ids), slug
        report = chain.verify(slug, project.logs, live=False)
        assert report.ok and report.chained == len(run_ids), (slug, report)
        total += len(run_ids)
    with Index.open() as index:
        assert index.writer.verify(), "FTS5 integrity-check (rank 1) failed"
        assert sum(index.count_runs(slug) for slug in slugs) == total
        assert not index.count_runs(status="running")
    return total


def wait_for_a_new_run(slug: str, before: set[str], process: subprocess.Popen[bytes]) -> None:
    """Until the run's record exists (it is streaming), or the process has ended."""
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        if Project.at(slug).exists() and set(Project.at(slug).run_ids()) - before:
            return
        time.sleep(0.02)


def test_random_sigkill_mid_stream(isolated: Path) -> None:
    rng = random.Random(SEED)
    spec = write(isolated / "task.md", GOOD_SPEC)
    slugs = ["k0", "k1", "k2"]
    with FakeOpenAI([Reply(text="word " * 300, chunks=150, drip=0.01)]) as server:
        for number in range(KILLS):
            slug = slugs[number % 3]
            before = set(Project.at(slug).run_ids()) if Project.at(slug).exists() else set()
            process = start(spec, slug, server.base_url)
            if number % 4:  # most kills land mid-stream, the rest anywhere from start-up on
                wait_for_a_new_run(slug, before, process)
            # The random moment of the kill is the point of the test, not a wait for something.
            time.sleep(rng.uniform(0.0, 1.2 if number % 4 else 0.5))
            process.kill()
            process.communicate()
        for slug in slugs:
            dispatch("status", "--slug", slug)  # the next command that touches the project repairs it
    check_integrity(slugs)
    killed = [
        r
        for slug in slugs
        if Project.at(slug).exists()
        for r in map(Project.at(slug).read_run, Project.at(slug).run_ids())
        if r["status"] == "interrupted" and r["reason"] == "killed"
    ]
    assert killed, "no kill landed mid-run"


def test_concurrent_writers_over_several_projects(isolated: Path) -> None:
    spec = write(isolated / "task.md", GOOD_SPEC)
    with FakeOpenAI([Reply(text="a short answer", chunks=5, drip=0.01)]) as server:
        processes = [start(spec, f"c{n % 2}", server.base_url, "--wait", "120") for n in range(6)]
        errors = [p.communicate(timeout=180)[1].decode() for p in processes]
    assert [p.returncode for p in processes] == [0] * 6, errors
    assert check_integrity(["c0", "c1"]) == 6


def wait_until(done: Callable[[], bool], process: subprocess.Popen[bytes]) -> None:
    """Until `done()` holds while the process still runs; fails if it ended or a minute passed first."""
    deadline = time.monotonic() + 60
    while not done():
        assert process.poll() is None, process.communicate()[1].decode()
        assert time.monotonic() < deadline, "the run never got there"
        time.sleep(0.02)


def killed_record(slug: str, process: subprocess.Popen[bytes]) -> dict[str, Any]:
    """SIGKILL the run, let the next command repair the project, and return the run's record."""
    process.kill()
    process.communicate()
    dispatch("status", "--slug", slug)
    check_integrity([slug])
    (run_id,) = Project.at(slug).run_ids()
    record: dict[str, Any] = Project.at(slug).read_run(run_id)
    assert (record["status"], record["reason"]) == ("interrupted", "killed")
    return record


def notices(slug: str) -> str:
    """The notices the project's runs have logged so far, one per line."""
    project = Project.at(slug)
    runs = project.run_ids() if project.exists() else []
    lines = [e for run_id in runs for e in read_json_lines(project.events_path(run_id))[0]]
    return "\n".join(str(e.get("message")) for e in lines if e.get("type") == "Notice")


def test_a_kill_during_a_contract_re_ask_keeps_the_answer_already_given(isolated: Path) -> None:
    spec = write(isolated / "task.md", GOOD_SPEC)
    first = "Faster start-up, a new audit browser and fewer crashes " + "and more " * 20
    with FakeOpenAI([Reply(text=first), Reply(text="Faster, audited, steadier.", gate=threading.Event())]) as server:
        process = start(spec, "reask", server.base_url, "--contract-retries", "1")
        wait_until(lambda: len(server.requests) == 2, process)  # the re-ask is on the wire, held open
        record = killed_record("reask", process)
    assert record["result"] == first, "the first answer survives the kill"
    assert record["contract"]["passed"] is False and record["contract"]["attempts"] == 1, "and why it was asked again"


def test_a_kill_during_the_verify_command_keeps_the_answer(isolated: Path) -> None:
    spec = write(isolated / "task.md", GOOD_SPEC)
    release = isolated / "release"
    hold = f"import os, time\nwhile not os.path.exists({str(release)!r}): time.sleep(0.05)"
    with FakeOpenAI([Reply(text="Faster start-up, a new audit browser and fewer crashes.")]) as server:
        process = start(spec, "verify", server.base_url, "--verify", f"{sys.executable} -c {shlex.quote(hold)}")
        wait_until(lambda: "verifying" in notices("verify"), process)
        try:
            record = killed_record("verify", process)
        finally:
            release.touch()  # the orphaned verify command ends
    assert record["result"] == "Faster start-up, a new audit browser and fewer crashes."
