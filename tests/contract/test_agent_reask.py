"""Seed A with each real agent CLI in a worktree, whose first answer breaks the Output contract ("the updated
parse_invoice() function as a Python code block"): the re-ask resumes the agent's own session, the second answer
keeps the contract, and the change, its capture and the spec's pytest verification are as without the re-ask."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.agents.clis import AGENTS, Setup, fake_for
from tests.agents.test_worktrees import REFACTOR, SHELL_TOOL, run_spec
from tests.fakes.model_apis import Turn
from tests.helpers import write
from tests.invoices_repo import REFACTORED, REPLY, SPEC, git, make_repo


@pytest.mark.parametrize("agent", AGENTS)
def test_an_agent_resumes_its_session_to_answer_again_when_the_contract_fails(agent: str, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    script = write(tmp_path / "refactor.py", REFACTOR)
    tool, argument = SHELL_TOOL[agent]
    turns = [
        Turn(tool=tool, args={argument: f"{sys.executable} {script}"}),
        Turn(text="Refactored parse_invoice()."),
        Turn(text=REPLY),
    ]
    with fake_for(agent, turns) as api:
        Setup(agent, api, tmp_path / "agent-home").write_config(tmp_path / "home")
        result = run_spec(tmp_path, repo, "--permission", "bypass", "--contract-retries", "1", model="agent", spec=SPEC)
        calls = [json.dumps(call.body) for call in api.model_calls]
    assert result.code == 0, result.stderr + result.stdout
    envelope = result.json()
    assert envelope["contract"]["passed"] is True and envelope["contract"]["attempts"] == 2
    assert envelope["contract"]["earlier"][0]["result"] == "Refactored parse_invoice()."
    assert "no fenced python code block" in envelope["contract"]["earlier"][0]["failed"][0]["detail"]
    reask = next(call for call in calls if "does not meet the Output contract" in call)
    assert "Refactored parse_invoice()." in reask, f"{agent} resumed its session: the first answer is in its history"
    assert git(repo, "show", f"{envelope['worktree']['branch']}:src/invoices.py") == REFACTORED
    assert envelope["verify"]["passed"] is True and envelope["status"] == "ok"
