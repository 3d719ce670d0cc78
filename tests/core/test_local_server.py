"""The local model's server manager against the real llama.cpp server: reuse, one start under contention,
recovery from stale or dead records, and `dispatch local stop`. These serve the tiny SmolLM2 (`weights =
"smollm2"`), which starts in about a second: what is tested is the manager, not the model."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from core.config import ModelConfig, builtin_local
from core.errors import BackendUnavailable
from core.local.server import LocalServer, ServerSpec, ServerState, ServerUse, alive
from tests.helpers import GOOD_SPEC, ROOT, dispatch, local_model_missing, write

TINY_MISSING = local_model_missing(SMALL := {"weights": "smollm2"})
pytestmark = pytest.mark.skipif(TINY_MISSING is not None, reason=f"{TINY_MISSING}; `make test` installs it")

ENSURE = (
    "import json; from dataclasses import replace; from core.config import builtin_local; "
    "from core.local.server import LocalServer, ServerSpec; "
    f"s = LocalServer().ensure(ServerSpec.for_model(replace(builtin_local(), options={SMALL!r}))); "
    "print(json.dumps({'pid': s.pid, 'port': s.port}))"
)


def tiny() -> ModelConfig:
    return replace(builtin_local(), options=dict(SMALL))


@pytest.fixture
def manager(isolated: Path) -> Iterator[LocalServer]:
    server = LocalServer()
    yield server
    server.stop()


def ensure_in_new_process() -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", ENSURE],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def finished(proc: subprocess.Popen[str]) -> dict[str, int]:
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err
    return json.loads(out)


def test_reused_across_invocations_and_started_once_under_contention(manager: LocalServer) -> None:
    racers = [ensure_in_new_process() for _ in range(3)]
    results = [finished(proc) for proc in racers]
    assert len({(r["pid"], r["port"]) for r in results}) == 1, results
    again = finished(ensure_in_new_process())
    assert again == results[0]
    status = manager.status()
    assert status["running"] and status["pid"] == again["pid"] and status["base_url"].endswith(f":{again['port']}/v1")


def test_corrupt_state_file_is_replaced(manager: LocalServer) -> None:
    manager.directory.mkdir(parents=True)
    manager.state_path.write_text('{"pid": 12')
    assert manager.status()["stale_state"] is True
    state = manager.ensure(ServerSpec.for_model(tiny()))
    assert alive(state.pid) and manager.state() == state and manager.status()["running"]


def test_record_of_a_dead_or_foreign_process_is_recovered_without_killing_anyone(manager: LocalServer) -> None:
    spec = ServerSpec.for_model(tiny())
    dead = subprocess.Popen(["true"])
    dead.wait()
    for pid in (dead.pid, os.getpid()):
        stale = ServerState(
            pid=pid,
            port=1,
            model_path=str(spec.model_path),
            started="then",
            log="x",
            argv=spec.argv(1),
            ctx_size=spec.ctx_size,
        )
        manager.directory.mkdir(parents=True, exist_ok=True)
        manager.state_path.write_text(json.dumps(asdict(stale)))
        state = manager.ensure(spec)
        assert state.pid not in (dead.pid, os.getpid()) and manager.status()["running"]
        manager.stop()
    assert alive(os.getpid())


def test_a_killed_server_is_restarted(manager: LocalServer) -> None:
    spec = ServerSpec.for_model(tiny())
    first = manager.ensure(spec)
    os.kill(first.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while alive(first.pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not manager.status()["running"]
    second = manager.ensure(spec)
    assert second.pid != first.pid and manager.status()["running"]


def test_a_changed_context_size_replaces_the_server(manager: LocalServer) -> None:
    first = manager.ensure(ServerSpec.for_model(tiny()))
    bigger = tiny()
    bigger.context_window = 2048
    second = manager.ensure(ServerSpec.for_model(bigger))
    assert second.pid != first.pid and second.ctx_size == 2048 and not alive(first.pid)


def test_a_server_in_use_is_not_replaced_under_its_dispatch(manager: LocalServer) -> None:
    use = ServerUse(manager.directory)
    first = manager.ensure(ServerSpec.for_model(tiny()), use=use)
    bigger = tiny()
    bigger.context_window = 2048
    try:
        with pytest.raises(BackendUnavailable, match="answering another dispatch"):
            manager.ensure(ServerSpec.for_model(bigger), deadline=0.5)
        assert manager.status()["pid"] == first.pid and alive(first.pid)
    finally:
        use.release()
    second = manager.ensure(ServerSpec.for_model(bigger))
    assert second.pid != first.pid and not alive(first.pid)


def test_a_dispatch_says_when_it_leaves_a_server_running(manager: LocalServer, tmp_path: Path) -> None:
    write(tmp_path / "home" / "config.toml", '[models.local]\nbackend = "local"\nweights = "smollm2"\n')
    spec = write(tmp_path / "task.md", GOOD_SPEC)
    # SmolLM2-135M rarely keeps an Output contract; this is about the server notice, not the answer.
    first = dispatch("--no-ui", "run", "--spec", str(spec), "--slug", "notice", "--no-contract", timeout=300)
    state = manager.state()
    assert first.code == 0, first.stderr
    assert state is not None and f"started the local model server (pid {state.pid}" in first.stderr
    assert "dispatch local stop" in first.stderr
    again = dispatch("--no-ui", "run", "--spec", str(spec), "--slug", "notice", "--no-contract", timeout=300)
    assert again.code == 0 and "started the local model server" not in again.stderr


def test_local_stop_command_stops_it_and_status_says_so(manager: LocalServer) -> None:
    state = manager.ensure(ServerSpec.for_model(tiny()))
    shown = dispatch("local", "status", "--json").json()
    assert shown["running"] and shown["pid"] == state.pid
    stop = dispatch("local", "stop")
    assert stop.code == 0 and f"stopped pid {state.pid}" in stop.stdout
    assert not alive(state.pid) and not manager.state_path.exists()
    assert dispatch("local", "status", "--json").json()["running"] is False
    log = Path(state.log).read_text()
    assert "listening" in log
