"""diff, merge and drop through the MCP door: a `command` agent refactors a real git repo in its worktree."""

from __future__ import annotations

from pathlib import Path

from tests.agents.test_worktrees import QUICK, REFACTOR, command_agent
from tests.invoices_repo import REFACTORED, git, make_repo, tree_state
from tests.mcp.client import connected, data


async def test_an_agent_runs_changes_are_reviewed_merged_and_dropped_over_mcp(tmp_path: Path, isolated: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    command_agent(isolated / "home", REFACTOR)
    before = tree_state(repo)
    run = {"spec": QUICK, "model": "edit", "slug": "inv", "cwd": str(repo)}
    async with connected(tmp_path / "server.log", "--root", str(repo)) as client:
        first = data(await client.call_tool("dispatch", run))
        untouched = tree_state(repo)
        shown = data(await client.call_tool("diff", {"slug": "inv"}))
        merged = data(await client.call_tool("merge", {"slug": "inv"}))
        second = data(await client.call_tool("dispatch", run))
        dropped = data(await client.call_tool("drop", {"slug": "inv"}))
        again = await client.call_tool("merge", {"slug": "inv", "run_id": second["run_id"]})
    assert first["status"] == "ok" and first["worktree"]["branch"].startswith("dispatch/inv/")
    assert untouched == before, "the user's tree is not touched by the run"
    assert shown["run_id"] == first["run_id"] and "field.strip()" in shown["text"]
    assert [f["path"] for f in shown["changes"]["files"]] == ["src/invoices.py"]
    assert merged["merged"] is True and (repo / "src" / "invoices.py").read_text() == REFACTORED
    assert second["status"] == "ok" and dropped == {**dropped, "run_id": second["run_id"], "dropped": True}
    assert not Path(second["worktree"]["path"]).exists()
    assert second["worktree"]["branch"] not in git(repo, "branch", "--list", "dispatch/*")
    assert again.is_error and "dropped" in again.content[0].text
