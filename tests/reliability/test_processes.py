"""No descendant of an agent outlives its run, whichever way the run ends: --timeout, --stall, SIGTERM, SIGINT,
SIGKILL of dispatch itself, or the agent exiting while a background job still holds its stdout."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.procgroup import alive
from tests.helpers import GOOD_SPEC, ROOT, write
from tests.reliability.common import script

DAEMON = """\
    import os, sys, time
    pids = sys.argv[1]
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            open(pids + ".daemon", "w").write(str(os.getpid()))
            time.sleep(300)
        os._exit(0)
    open(pids + ".agent", "w").write(str(os.getpid()))
    print("started", flush=True)
    time.sleep(300)
"""


def wait_for(condition, what: str, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def start(isolated: Path, body: str, *args: str) -> tuple[subprocess.Popen[str], Path]:
    pids = isolated / "pids"
    tool = script(isolated / "tool", body)
    write(isolated / "home" / "config.toml", f'[models.m]\nbackend = "command"\nargs = ["{tool}", "{pids}"]\n')
    spec = write(isolated / "task.md", GOOD_SPEC)
    process = subprocess.Popen(
        [sys.executable, "-m", "core", "run", "--spec", str(spec), "--model", "m", "--slug", "job", "--json", *args],
        cwd=ROOT,
        text=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )
    return process, pids


def pids_of(pids: Path) -> list[int]:
    return [int(Path(f"{pids}.{name}").read_text()) for name in ("agent", "daemon")]


@pytest.mark.parametrize("way_out", ["timeout", "stall", "SIGTERM", "SIGINT", "SIGKILL"])
def test_no_descendant_survives(isolated: Path, way_out: str) -> None:
    args = {"timeout": ("--timeout", "2"), "stall": ("--stall", "1")}.get(way_out, ())
    process, pids = start(isolated, DAEMON, *args)
    try:
        wait_for(
            lambda: all(Path(f"{pids}.{n}").exists() and Path(f"{pids}.{n}").read_text() for n in ("agent", "daemon")),
            "the agent and its daemon",
        )
        family = pids_of(pids)
        if way_out.startswith("SIG"):
            process.send_signal(getattr(signal, way_out))
        _, stderr = process.communicate(timeout=60)
        wait_for(lambda: not any(alive(pid) for pid in family), "the agent and its daemon to be gone", 20)
    finally:
        process.kill()
        process.communicate()
    if way_out != "SIGKILL":
        assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
        assert "Event loop is closed" not in stderr
        expected = {"timeout": 5, "stall": 5}.get(way_out, 130)
        assert process.returncode == expected, stderr


def test_an_agent_that_exits_while_a_background_job_holds_its_stdout_ends_the_run(isolated: Path) -> None:
    body = """\
        import subprocess, sys
        job = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
        open(sys.argv[1] + ".job", "w").write(str(job.pid))
        print("done")
    """
    process, pids = start(isolated, body)
    stdout, stderr = process.communicate(timeout=60)
    envelope = json.loads(stdout)
    assert process.returncode == 0 and envelope["status"] == "ok" and envelope["result"] == "done\n", stderr
    wait_for(lambda: not alive(int(Path(f"{pids}.job").read_text())), "the background job to be swept", 20)
