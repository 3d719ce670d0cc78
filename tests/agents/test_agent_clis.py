"""The real Claude Code, Codex and Gemini CLIs, driven by `dispatch` against scripted fake APIs on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.fsutil import read_json_lines
from tests.agents.clis import AGENTS, PRICES, WRITE_TOOL, Setup, fake_for, processes_in
from tests.fakes.model_apis import Turn
from tests.helpers import dispatch, write

SPEC = """\
Task type: agentic-coding

## Goal
Create the file notes.txt in the project directory holding the word hello for the smoke test.

## Non-goals
Do not create or change any other file.

## Inputs
None: the project directory starts empty.

## Output
One file, notes.txt, plain text; then a one-line summary.

## Verification
The file notes.txt exists and holds the word hello.

## Escalation
None: the file is a throwaway in a scratch directory.
"""


def run_agent(
    agent: str,
    turns: list[Turn],
    tmp_path: Path,
    *args: str,
    slug: str = "job",
    settings: dict | None = None,
    **extra: object,
):
    with fake_for(agent, turns) as api:
        setup = Setup(agent, api, tmp_path / f"{agent}-home", settings or {})
        setup.write_config(tmp_path / "home", **extra)
        spec = write(tmp_path / "spec.md", SPEC)
        result = dispatch("run", "--spec", str(spec), "--model", "agent", "--slug", slug, "--json", *args, timeout=120)
    return result, api


def record_of(envelope: dict) -> dict:
    return json.loads(Path(envelope["audit_path"]).read_text())


@pytest.mark.parametrize("agent", AGENTS)
def test_agent_writes_a_file_with_its_own_tool(agent: str, tmp_path: Path, projects_dir: Path) -> None:
    tool, arguments = WRITE_TOOL[agent]
    turns = [Turn(tool=tool, args=arguments("notes.txt", "hello")), Turn(text="Wrote notes.txt.")]
    result, api = run_agent(agent, turns, tmp_path)
    assert result.code == 0, result.stderr + result.stdout
    envelope = result.json()
    project = projects_dir / "job"
    assert (project / "notes.txt").read_text().strip() == "hello"
    assert envelope["status"] == "ok" and "Wrote notes.txt." in envelope["result"]
    assert envelope["session_id"] and envelope["backend"] == agent
    context = (project / {"claude-code": "CLAUDE.md", "codex": "AGENTS.md", "gemini": "GEMINI.md"}[agent]).read_text()
    assert "Do not create or change any other file." in context and "## Verification" in context
    assert "Create the file notes.txt" in json.dumps(api.model_calls[0].body)
    events, skipped = read_json_lines(Path(envelope["audit_path"].replace("-result.json", "-events.jsonl")))
    assert skipped == 0
    assert [e["name"] for e in events if e["type"] == "ToolCall"][:1] == [
        {"claude-code": "Write", "codex": "command_execution", "gemini": "write_file"}[agent]
    ]
    assert any(e["type"] == "ToolResult" for e in events)
    assert "".join(e["text"] for e in events if e["type"] == "TextDelta").count("Wrote notes.txt.") == 1
    usage = envelope["usage"]
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0
    if agent == "claude-code":
        lines = [json.loads(line) for line in record_of(envelope)["raw"]["stdout"].splitlines() if line.strip()]
        reported = [line["total_cost_usd"] for line in lines if line.get("type") == "result"]
        assert reported and envelope["cost_usd"] == reported[0] > 0
    else:
        expected = (usage["input_tokens"] * PRICES[0] + usage["output_tokens"] * PRICES[1]) / 1_000_000
        assert envelope["cost_usd"] == pytest.approx(expected)
    assert "sk-ant-fake-key" not in Path(envelope["audit_path"]).read_text()


@pytest.mark.parametrize("agent", AGENTS)
def test_resume_keeps_the_session(agent: str, tmp_path: Path, projects_dir: Path) -> None:
    with fake_for(agent, [Turn(text="first answer alpha"), Turn(text="second answer beta")]) as api:
        Setup(agent, api, tmp_path / "agent-home").write_config(tmp_path / "home")
        spec = write(tmp_path / "spec.md", SPEC)
        first = dispatch("run", "--spec", str(spec), "--model", "agent", "--slug", "again", "--json", timeout=120)
        assert first.code == 0, first.stderr
        second = dispatch("resume", "--slug", "again", "--prompt", "Now say the second thing.", "--json", timeout=120)
    assert second.code == 0, second.stderr
    envelope = second.json()
    assert envelope["kind"] == "resume" and envelope["session_id"] == first.json()["session_id"]
    assert "second answer beta" in envelope["result"]
    assert record_of(envelope)["request"]["cwd"] == str(projects_dir / "again")
    resumed = json.dumps(api.model_calls[-1].body)
    assert "first answer alpha" in resumed and "Now say the second thing." in resumed


@pytest.mark.parametrize("agent", AGENTS)
@pytest.mark.parametrize(
    "code, status, reason", [(429, "rate_limited", "rate_limited"), (500, "error", "server_error")]
)
def test_api_errors_give_the_right_status(agent: str, code: int, status: str, reason: str, tmp_path: Path) -> None:
    result, api = run_agent(agent, [Turn(status=code)], tmp_path)
    envelope = result.json()
    assert result.code == 1, result.stderr
    assert envelope["status"] == status and envelope["reason"] == reason and envelope["error"]
    assert api.model_calls, "the CLI never reached the fake API"


@pytest.mark.parametrize("agent", AGENTS)
def test_hang_gives_timeout_and_leaves_no_process(agent: str, tmp_path: Path, projects_dir: Path) -> None:
    # Long enough for the CLI to start and reach the API on a busy machine (Gemini starts slowest).
    result, api = run_agent(agent, [Turn(hang=120)], tmp_path, "--timeout", "10" if agent == "gemini" else "6")
    assert result.code == 5, result.stderr
    envelope = result.json()
    assert envelope["status"] == "timeout" and "stopped" in envelope["error"]
    assert api.model_calls, "the CLI never reached the fake API"
    assert processes_in(projects_dir / "job") == []
    raw = record_of(envelope)["raw"]
    assert raw["exit_code"] is None and raw["stdout"], "what the agent printed before the hang is kept"


def test_stall_watchdog_names_the_stall(tmp_path: Path, projects_dir: Path) -> None:
    result, _ = run_agent("claude-code", [Turn(hang=120)], tmp_path, "--stall", "3", "--timeout", "100")
    envelope = result.json()
    assert result.code == 5 and envelope["status"] == "timeout"
    assert "stalled" in envelope["error"] and envelope["reason"] == "stalled"
    assert processes_in(projects_dir / "job") == []


@pytest.mark.parametrize("agent", AGENTS)
def test_an_agent_that_does_nothing_is_an_error(agent: str, tmp_path: Path) -> None:
    result, api = run_agent(agent, [Turn(text="")], tmp_path)
    envelope = result.json()
    assert result.code == 1 and envelope["status"] == "error" and api.model_calls
    if agent == "gemini":
        assert "empty response" in envelope["error"], "Gemini flags it itself, and we keep its words"
    else:
        assert envelope["reason"] == "empty_result"


def test_claude_permission_denial_is_blocked(tmp_path: Path, projects_dir: Path) -> None:
    turns = [Turn(tool="Bash", args={"command": "touch /tmp/dispatch-denied-marker"}), Turn(text="could not run it")]
    result, _ = run_agent("claude-code", turns, tmp_path, "--permission", "plan")
    envelope = result.json()
    assert result.code == 4, result.stderr
    assert envelope["status"] == "blocked" and "Bash" in envelope["error"]
    assert envelope["permission_denials"][0]["tool_name"] == "Bash"
    assert (
        "--permission-mode" in (argv := record_of(envelope)["raw"]["argv"])
        and argv[argv.index("--permission-mode") + 1] == "plan"
    )


def test_claude_max_turns(tmp_path: Path) -> None:
    tool, arguments = WRITE_TOOL["claude-code"]
    turns = [Turn(tool=tool, args=arguments("a.txt", "x")), Turn(tool=tool, args=arguments("b.txt", "y"))]
    result, _ = run_agent("claude-code", turns, tmp_path, args=["--max-turns", "1"])
    assert result.json()["status"] == "max_turns" and result.code == 1


def test_gemini_turn_limit_is_max_turns(tmp_path: Path) -> None:
    tool, arguments = WRITE_TOOL["gemini"]
    turns = [Turn(tool=tool, args=arguments("a.txt", "x")), Turn(tool=tool, args=arguments("b.txt", "y"))]
    result, _ = run_agent("gemini", turns, tmp_path, settings={"model": {"maxSessionTurns": 1}})
    envelope = result.json()
    assert result.code == 1 and envelope["status"] == "max_turns"
    assert record_of(envelope)["raw"]["exit_code"] == 53


@pytest.mark.parametrize("agent, flag, value", [("codex", "-s", "read-only"), ("gemini", "--approval-mode", "plan")])
def test_permission_maps_to_each_agent(agent: str, flag: str, value: str, tmp_path: Path) -> None:
    result, _ = run_agent(agent, [Turn(text="looked only")], tmp_path, "--permission", "plan")
    assert result.code == 0, result.stderr
    argv = record_of(result.json())["raw"]["argv"]
    assert argv[argv.index(flag) + 1] == value


def test_codex_asking_for_input_needs_input(tmp_path: Path) -> None:
    question = {
        "questions": [
            {
                "id": "db",
                "header": "Database",
                "question": "Which database?",
                "options": [
                    {"label": "sqlite", "description": "a file"},
                    {"label": "postgres", "description": "a server"},
                ],
            }
        ]
    }
    result, _ = run_agent(
        "codex", [Turn(tool="request_user_input", args=question), Turn(text="I need an answer.")], tmp_path
    )
    envelope = result.json()
    assert result.code == 4, result.stderr
    assert envelope["status"] == "needs_input" and "input" in envelope["error"]


def test_review_by_an_agent_is_read_only_and_leaves_files_alone(tmp_path: Path, projects_dir: Path) -> None:
    tool, arguments = WRITE_TOOL["claude-code"]
    turns = [
        Turn(tool=tool, args=arguments("notes.txt", "hello")),
        Turn(text="Wrote notes.txt."),
        Turn(tool=tool, args=arguments("notes.txt", "overwritten by the reviewer")),
        Turn(text="VERDICT: pass\n- notes.txt holds hello"),
    ]
    with fake_for("claude-code", turns) as api:
        Setup("claude-code", api, tmp_path / "agent-home").write_config(tmp_path / "home")
        spec = write(tmp_path / "spec.md", SPEC)
        assert dispatch("run", "--spec", str(spec), "--model", "agent", "--slug", "rev", "--json").code == 0
        review = dispatch("review", "--slug", "rev", "--model", "agent", "--json", timeout=120)
    envelope = review.json()
    assert review.code == 0, review.stderr
    assert envelope["kind"] == "review" and envelope["verdict"] == "pass"
    argv = record_of(envelope)["raw"]["argv"]
    assert argv[argv.index("--permission-mode") + 1] == "plan"
    assert (projects_dir / "rev" / "notes.txt").read_text() == "hello"
