"""A llama-server that dies or never gets ready: one clear error, no process left behind, no stale record.

These use small stand-in executables (via the model's `bin`), so they run without the [local] extra.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.config import ModelConfig
from core.errors import BackendUnavailable
from core.local.server import LocalServer, ServerSpec, alive
from tests.helpers import write


def spec_with(tmp_path: Path, script: str) -> ServerSpec:
    binary = write(tmp_path / "fake-llama-server", f"#!/bin/sh\n{script}\n")
    binary.chmod(0o755)
    gguf = write(tmp_path / "model.gguf", "not really a model")
    return ServerSpec.for_model(
        ModelConfig(name="local", backend="local", bin=str(binary), options={"gguf": str(gguf)})
    )


def test_a_server_that_exits_at_start_is_reported_with_its_log(tmp_path: Path) -> None:
    manager = LocalServer(tmp_path / "state")
    with pytest.raises(BackendUnavailable) as caught:
        manager.ensure(spec_with(tmp_path, 'echo "error: unknown model format" >&2; exit 3'))
    assert "exited while starting (exit 3): error: unknown model format" in caught.value.message
    assert str(manager.log_path) in caught.value.hint and not manager.state_path.exists()


def test_a_server_built_for_another_cpu_says_how_to_rebuild(tmp_path: Path) -> None:
    with pytest.raises(BackendUnavailable) as caught:
        LocalServer(tmp_path / "state").ensure(spec_with(tmp_path, "kill -ILL $$"))
    assert "killed by SIGILL" in caught.value.message and "built for another CPU: rebuild it" in caught.value.hint


def test_a_server_that_never_gets_ready_is_killed_at_the_deadline(tmp_path: Path) -> None:
    manager = LocalServer(tmp_path / "state")
    pid_file = tmp_path / "pid"
    with pytest.raises(BackendUnavailable, match="did not become ready in time"):
        manager.ensure(spec_with(tmp_path, f"echo $$ > {pid_file}; exec sleep 60"), deadline=1.0)
    pid = int(pid_file.read_text())
    assert not alive(pid) and not manager.state_path.exists()


def test_the_child_gets_devnull_stdin_its_own_session_and_a_chosen_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLAMA_ARG_THREADS", "8")
    out = tmp_path / "seen"
    script = (
        f"{{ readlink /proc/self/fd/0; ps -o sid= -p $$; echo $$; env | grep -c LLAMA_ARG_ || true; }} > {out}; exit 1"
    )
    with pytest.raises(BackendUnavailable):
        LocalServer(tmp_path / "state").ensure(spec_with(tmp_path, script))
    stdin, sid, pid, llama_vars = out.read_text().split()
    assert stdin == os.devnull and sid == pid and llama_vars == "0"
