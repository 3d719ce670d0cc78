"""The project lock (core/audit/lock.py): one run at a time per project, dropped by the kernel when its holder dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from core.audit.lock import ProjectLock, is_locked
from core.errors import ProjectBusy
from core.procgroup import alive
from tests.helpers import ROOT

HOLDER = """
import subprocess, sys
from pathlib import Path
from core.audit.lock import ProjectLock
lock = ProjectLock(Path(sys.argv[1]), "p").acquire(run_id="20261120-120000-1-1")
child = subprocess.Popen(["sleep", "300"])
print(child.pid, flush=True)
sys.stdin.read()
"""


def wait_until(condition: object, what: str, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_a_second_taker_is_refused_with_who_holds_it(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    with ProjectLock(path, "p").acquire(run_id="20261120-120000-1-7") as first:
        assert first.held and is_locked(path)
        with pytest.raises(
            ProjectBusy, match=f"project 'p' is busy: held by pid {os.getpid()}, run 20261120-120000-1-7"
        ):
            ProjectLock(path, "p").acquire()
        assert not ProjectLock(path, "p").try_acquire()
    assert not is_locked(path)
    with ProjectLock(path, "p").acquire() as again:
        assert again.held


def test_a_waiting_taker_gets_the_lock_when_the_holder_lets_go_and_is_refused_when_it_does_not(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    holder = ProjectLock(path, "p").acquire()
    with pytest.raises(ProjectBusy, match="is busy") as refused:
        ProjectLock(path, "p").acquire(wait=0.1)
    assert "--wait" in refused.value.one_line()
    letting_go = threading.Thread(target=holder.release)
    letting_go.start()
    with ProjectLock(path, "p").acquire(wait=30.0) as waited:
        assert waited.held
    letting_go.join()


def test_a_killed_holder_leaves_no_lock_and_its_children_never_held_it(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    child = int(proc.stdout.readline()) if proc.stdout else 0
    try:
        assert is_locked(path) and ProjectLock(path, "p").info()["run_id"] == "20261120-120000-1-1"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert alive(child), "the holder's child outlives it"
        assert not is_locked(path), "the child did not inherit the lock (close-on-exec)"
        with ProjectLock(path, "p").acquire() as taken:
            assert taken.held
    finally:
        os.kill(child, signal.SIGKILL)
        wait_until(lambda: not alive(child), "the sleep child to go")
