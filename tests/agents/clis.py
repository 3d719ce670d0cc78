"""The real agent CLIs (installed by `make agent-clis` into .cache/agent-clis) pointed at our fake model APIs.

Each `Setup` writes a dispatch config whose model runs the real binary with an isolated HOME (and CODEX_HOME,
Gemini settings) and an environment that sends every API call to a fake server on 127.0.0.1, with the
CLI's own retries turned down so fault tests stay short.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from tests.fakes.model_apis import FakeAnthropic, FakeGemini, FakeModelAPI, FakeResponses, Turn

ROOT = Path(__file__).resolve().parent.parent.parent
BIN_DIR = ROOT / ".cache" / "agent-clis" / "node_modules" / ".bin"
AGENTS = ("claude-code", "codex", "gemini")
BINARIES = {"claude-code": "claude", "codex": "codex", "gemini": "gemini"}
PRICES = (2.0, 8.0)
"""USD per million tokens for the agents that report no cost."""
WRITE_TOOL = {
    "claude-code": ("Write", lambda path, text: {"file_path": path, "content": text}),
    "codex": ("exec_command", lambda path, text: {"cmd": f"printf '%s' '{text}' > {path}"}),
    "gemini": ("write_file", lambda path, text: {"file_path": path, "content": text}),
}
"""Each agent's own file-writing tool, as its CLI declares it to the model, and that tool's arguments."""


def binary(agent: str) -> Path:
    path = BIN_DIR / BINARIES[agent]
    if not path.exists():
        pytest.skip(
            f"{BINARIES[agent]} is not installed in {BIN_DIR.parent.parent}: run `make agent-clis` "
            "(npm install of @anthropic-ai/claude-code, @openai/codex, @google/gemini-cli; skipped when "
            "npm or its registry is unreachable)"
        )
    return path


def fake_for(agent: str, turns: list[Turn]) -> FakeModelAPI:
    return {"claude-code": FakeAnthropic, "codex": FakeResponses, "gemini": FakeGemini}[agent](turns)


@dataclass
class Setup:
    agent: str
    api: FakeModelAPI
    home: Path
    """The agent's isolated HOME."""
    settings: dict[str, Any] = field(default_factory=dict)
    """Extra Gemini settings.json keys."""

    def model_table(self, **extra: Any) -> dict[str, Any]:
        env: dict[str, str] = {"HOME": str(self.home)}
        table: dict[str, Any] = {"backend": self.agent, "bin": str(binary(self.agent))}
        if self.agent == "claude-code":
            env.update(
                ANTHROPIC_BASE_URL=self.api.url,
                ANTHROPIC_API_KEY="sk-ant-fake-key-0123456789",
                CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1",
                DISABLE_AUTOUPDATER="1",
                CLAUDE_CODE_MAX_RETRIES="0",
                API_TIMEOUT_MS="60000",
                IS_SANDBOX="1",
            )
        elif self.agent == "codex":
            codex_home = self.home / ".codex"
            codex_home.mkdir(parents=True, exist_ok=True)
            (codex_home / "config.toml").write_text(
                tomli_w.dumps(
                    {
                        "model_provider": "fake",
                        "model_providers": {
                            "fake": {
                                "name": "fake",
                                "base_url": f"{self.api.url}/v1",
                                "env_key": "FAKE_CODEX_KEY",
                                "wire_api": "responses",
                                "request_max_retries": 0,
                                "stream_max_retries": 0,
                            }
                        },
                    }
                )
            )
            env.update(CODEX_HOME=str(codex_home), FAKE_CODEX_KEY="sk-fake-codex-key-0123456789abcdef")
            table.update(model="fake-model", price_in=PRICES[0], price_out=PRICES[1])
        else:
            settings = self.home / ".gemini" / "settings.json"
            settings.parent.mkdir(parents=True, exist_ok=True)
            settings.write_text(
                json.dumps(
                    {
                        "security": {"auth": {"selectedType": "gemini-api-key"}},
                        "general": {"maxAttempts": 1},
                        **self.settings,
                    }
                )
            )
            env.update(GOOGLE_GEMINI_BASE_URL=self.api.url, GEMINI_API_KEY="AIzaFakeGeminiKey0123456789")
            table.update(model="fake-gemini", price_in=PRICES[0], price_out=PRICES[1])
        table["env"] = env
        table.update(extra)
        return table

    def write_config(self, dispatch_home: Path, **extra: Any) -> None:
        dispatch_home.mkdir(parents=True, exist_ok=True)
        (dispatch_home / "config.toml").write_text(tomli_w.dumps({"models": {"agent": self.model_table(**extra)}}))


def processes_in(directory: Path) -> list[int]:
    """Pids of live processes whose working directory is `directory` (a leaked agent would be one)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if Path(os.readlink(f"/proc/{entry}/cwd")) == directory:
                    found.append(int(entry))
            except OSError:
                continue
    return found
