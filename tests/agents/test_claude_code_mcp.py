"""The done-when of the MCP door: in a fresh HOME, `dispatch install claude-code` (through the real `claude mcp
add-json`), then the real Claude Code, headless against the fake Anthropic API, calls the dispatch tool; the run
lands in the trail and the envelope reaches the model."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from core.fsutil import read_json
from tests.agents.clis import binary
from tests.fakes.model_apis import FakeAnthropic, Turn
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import GOOD_SPEC, ROOT, dispatch


def tool_results(body: Any) -> dict[str, str]:
    """tool_use id -> the text Claude Code sent back to the model for it."""
    found = {}
    for message in body["messages"]:
        for block in message["content"] if isinstance(message["content"], list) else []:
            if block.get("type") == "tool_result":
                content = block["content"]
                found[block["tool_use_id"]] = content if isinstance(content, str) else json.dumps(content)
    return found


def test_claude_code_dispatches_through_the_mcp_tool(tmp_path: Path, projects_dir: Path) -> None:
    claude = binary("claude-code")
    home = tmp_path / "fresh-home"
    home.mkdir()
    env = {"HOME": str(home), "PATH": f"{claude.parent}:/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    installed = dispatch("install", "claude-code", env=env, timeout=120)
    assert installed.code == 0, installed.stderr
    assert "`claude mcp add-json`" in installed.stdout
    assert "dispatch" in json.loads((home / ".claude.json").read_text())["mcpServers"]

    answer = "Faster start-up, a new audit browser and fewer crashes ship today."
    turns = [
        Turn(tool="WaitForMcpServers", args={"servers": ["dispatch"]}),
        Turn(tool="mcp__dispatch__dispatch", args={"spec": GOOD_SPEC, "slug": "from-claude"}),
        Turn(text="The dispatched model wrote the sentence."),
    ]
    work = tmp_path / "work"
    work.mkdir()
    with FakeOpenAI([Reply(text=answer)]) as model, FakeAnthropic(turns) as anthropic:
        headless = subprocess.run(
            [
                str(claude),
                "-p",
                "Dispatch the release-note spec.",
                "--output-format",
                "json",
                "--allowedTools",
                "mcp__dispatch",
            ],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=180,
            stdin=subprocess.DEVNULL,
            check=False,
            env={
                **env,
                "ANTHROPIC_BASE_URL": anthropic.url,
                "ANTHROPIC_API_KEY": "sk-ant-fake-key-0123456789",
                "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
                "DISABLE_AUTOUPDATER": "1",
                "CLAUDE_CODE_MAX_RETRIES": "0",
                "DISPATCH_BASE_URL": model.base_url,
                "NO_PROXY": "127.0.0.1",
                "DISPATCH_HOME": os.environ["DISPATCH_HOME"],
                "DISPATCH_PROJECTS_DIR": os.environ["DISPATCH_PROJECTS_DIR"],
            },
        )
        calls = anthropic.model_calls
    assert headless.returncode == 0, headless.stderr + headless.stdout
    assert json.loads(headless.stdout)["result"] == "The dispatched model wrote the sentence."
    assert len(calls) == 3 and "Summarise the three numbered points" in json.dumps(model.requests)

    [record_path] = (projects_dir / "from-claude" / ".dispatch-logs").glob("*-result.json")
    record = read_json(record_path)
    assert record["status"] == "ok" and record["result"] == answer
    dispatch_call = next(
        block["id"]
        for message in calls[2].body["messages"]
        if isinstance(message["content"], list)
        for block in message["content"]
        if block.get("name") == "mcp__dispatch__dispatch"
    )
    returned = tool_results(calls[2].body)[dispatch_call]
    assert record["run_id"] in returned and answer in returned and '"status":"ok"' in returned.replace(" ", "")

    removed = dispatch("uninstall", "claude-code", env=env, timeout=120)
    assert removed.code == 0, removed.stderr
    assert "dispatch" not in json.loads((home / ".claude.json").read_text()).get("mcpServers", {})
    assert not (home / ".claude" / "skills" / "dispatch").exists()
