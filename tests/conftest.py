"""Every test runs with its config and projects in a temp dir and no dispatch or key variables inherited."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.helpers import MODELS  # noqa: E402  (needs ROOT on sys.path)

_CLEARED_PREFIXES = ("DISPATCH_",)
_CLEARED = (
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "OPENAI_BASE_URL",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "http_proxy",
    "https_proxy",
    "ALL_PROXY",
)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in list(os.environ):
        if name.startswith(_CLEARED_PREFIXES) or name in _CLEARED:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DISPATCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DISPATCH_PROJECTS_DIR", str(tmp_path / "projects"))
    monkeypatch.setenv("DISPATCH_MODELS_DIR", str(MODELS))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    yield tmp_path
    _stop_local_server(tmp_path / "home" / "state")


def _stop_local_server(state: Path) -> None:
    """A test that dispatched to the built-in local model must not leave its llama-server running.

    A symlinked state dir is the e2e session's shared server, which that session stops itself.
    """
    from core.local.server import STATE_NAME, LocalServer

    if (state / STATE_NAME).exists() and not state.is_symlink():
        LocalServer(state).stop()


@pytest.fixture
def projects_dir(isolated: Path) -> Path:
    return isolated / "projects"
