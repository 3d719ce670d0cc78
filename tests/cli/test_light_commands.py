"""The read-only commands stay light: run for real in a fresh interpreter over a project with runs, each leaves
the engine, the backends, asyncio, httpx and ssl unloaded (they cost ~150 ms of imports that reading the index
does not need), and the secret redactor's regex engine and core.changes too (status of a project that never had a
worktree, ~25 ms). The command must also have worked, so a command that failed early cannot pass."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import GOOD_SPEC, ROOT, dispatch, write

HEAVY = (
    "asyncio",
    "httpx",
    "ssl",
    "core.engine",
    "core.backends",
    "core.followup",
    "core.config",
    "textual",
    "core.changes",
    "regex",
)
PROBE = (
    "import json, sys\n"
    "from core.cli import main\n"
    "code = main(sys.argv[1:])\n"
    f"print(json.dumps({{'code': code, 'heavy': [m for m in {HEAVY!r} if m in sys.modules]}}), file=sys.stderr)\n"
)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One project with a finished run, made through the real CLI against the fake model server."""
    home = tmp_path_factory.mktemp("light")
    env = {"DISPATCH_HOME": str(home / "home"), "DISPATCH_PROJECTS_DIR": str(home / "projects")}
    with FakeOpenAI() as server:
        spec = write(home / "task.md", GOOD_SPEC)
        result = dispatch(
            "--no-ui",
            "run",
            "--spec",
            str(spec),
            "--slug",
            "light",
            "--json",
            env={**env, "DISPATCH_BASE_URL": server.base_url, "DISPATCH_MODEL": "fake"},
        )
    assert result.code == 0, result.stderr
    return env


@pytest.mark.parametrize(
    "argv",
    [
        ["list", "--json"],
        ["search", "numbered", "--json"],
        ["search", "three points", "--since", "2020-01-01", "--json"],
        ["status", "--slug", "light", "--json"],
        ["runs", "--slug", "light", "--json"],
        ["sessions", "--slug", "light", "--json"],
        ["show", "--slug", "light", "--json"],
    ],
)
def test_a_read_only_command_imports_nothing_of_the_engine(argv: list[str], recorded: dict[str, str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **recorded},
        stdin=subprocess.DEVNULL,
    )
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    assert report["code"] == 0 and json.loads(proc.stdout), proc.stderr
    assert report["heavy"] == [], f"{' '.join(argv)} imported {report['heavy']}"


AGENT_ONLY = (
    "core.workspace",
    "core.worktree",
    "core.changes",
    "core.backends.agent",
    "core.procgroup",
    "core.verify",
    "core.review",
    "core.batch.limits",
)
"""What only agent runs, --verify, reviews and batches need (~20 ms of imports): a chat run against an endpoint
loads none."""


def test_a_headless_chat_run_imports_nothing_of_agents_verify_review_or_batch(tmp_path: Path) -> None:
    env = {"DISPATCH_HOME": str(tmp_path / "home"), "DISPATCH_PROJECTS_DIR": str(tmp_path / "projects")}
    probe = PROBE.replace(repr(HEAVY), repr(AGENT_ONLY))
    with FakeOpenAI() as server:
        proc = subprocess.run(
            [sys.executable, "-c", probe, "--no-ui", "run", "--spec", str(write(tmp_path / "t.md", GOOD_SPEC))],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, **env, "DISPATCH_BASE_URL": server.base_url, "DISPATCH_MODEL": "fake"},
            stdin=subprocess.DEVNULL,
        )
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    assert report["code"] == 0 and proc.stdout.strip(), proc.stderr
    assert report["heavy"] == [], f"a chat run imported {report['heavy']}"
