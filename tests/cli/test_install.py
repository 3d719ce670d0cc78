"""`dispatch install|uninstall claude-code` into a temp HOME (no `claude` on PATH: the JSON file is edited), and
`dispatch mcp --print-config`, whose command really starts the server."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

from tests.helpers import ROOT, dispatch, write

EARLIER = b'{"numStartups": 3,\n  "mcpServers": {"other": {"command": "other-server", "args": []}},\n "theme": "dark"}'
"""A config in a hand-made layout, so only a byte-for-byte restore gives it back."""


def run(*args: str, home: Path, cwd: Path | None = None):
    """This checkout's dispatch with HOME moved and no `claude` on PATH; from `cwd` (PYTHONPATH keeps the code)."""
    return dispatch(*args, env={"HOME": str(home), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}, cwd=cwd)


def test_install_keeps_the_config_and_uninstall_restores_it_byte_for_byte(tmp_path: Path) -> None:
    home = tmp_path / "fresh-home"
    config = write(home / ".claude.json", "")
    config.write_bytes(EARLIER)
    config.chmod(0o600)
    first = run("install", "claude-code", home=home)
    assert first.code == 0, first.stderr
    skill = home / ".claude" / "skills" / "dispatch" / "SKILL.md"
    assert skill.read_bytes() == (ROOT / "SKILL.md").read_bytes()
    data = json.loads(config.read_text())
    assert data["numStartups"] == 3 and data["theme"] == "dark" and "other" in data["mcpServers"]
    entry = data["mcpServers"]["dispatch"]
    assert entry["type"] == "stdio" and entry["args"][-1] == "mcp" and os.access(entry["command"], os.X_OK)
    assert stat.S_IMODE(config.stat().st_mode) == 0o600, "a file that can hold a key keeps its permissions"
    assert "editing the file" in first.stdout and str(skill) in first.stdout
    installed = config.read_bytes()

    second = run("install", "claude-code", home=home)
    assert second.code == 0 and second.stdout.strip() == "already installed; nothing to change"
    assert config.read_bytes() == installed

    removed = run("uninstall", "claude-code", home=home)
    assert removed.code == 0, removed.stderr
    assert config.read_bytes() == EARLIER
    assert not skill.exists() and not (home / ".claude" / "skills").exists()
    assert run("uninstall", "claude-code", home=home).stdout.strip() == "not installed; nothing to remove"


def test_uninstall_keeps_changes_made_since_install(tmp_path: Path) -> None:
    home = tmp_path / "home-changed"
    assert run("install", "claude-code", home=home).code == 0
    config = home / ".claude.json"
    data = json.loads(config.read_text())
    data["projects"] = {"/somewhere": {"allowedTools": []}}
    config.write_text(json.dumps(data))
    assert run("uninstall", "claude-code", home=home).code == 0
    assert json.loads(config.read_text()) == {"projects": {"/somewhere": {"allowedTools": []}}}


def test_dry_run_changes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "dry-home"
    result = run("install", "claude-code", "--dry-run", "--json", home=home)
    assert result.code == 0, result.stderr
    changes = result.json()["changes"]
    assert len(changes) == 2 and all(change.startswith("would ") for change in changes)
    assert not home.exists()


def test_project_scope_writes_mcp_json_and_the_project_skill(tmp_path: Path) -> None:
    project = tmp_path / "repo"
    project.mkdir()
    home = tmp_path / "untouched-home"
    assert run("install", "claude-code", "--scope", "project", home=home, cwd=project).code == 0
    assert "dispatch" in json.loads((project / ".mcp.json").read_text())["mcpServers"]
    assert (project / ".claude" / "skills" / "dispatch" / "SKILL.md").is_file()
    assert not home.exists()
    assert run("uninstall", "claude-code", "--scope", "project", home=home, cwd=project).code == 0
    assert not (project / ".mcp.json").exists(), "a file install created goes away again"


def test_a_config_that_is_not_json_is_left_alone(tmp_path: Path) -> None:
    home = tmp_path / "broken-home"
    config = write(home / ".claude.json", "{ not json")
    result = run("install", "claude-code", home=home)
    assert result.code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "left alone" in result.stderr and "Traceback" not in result.stderr
    assert config.read_text() == "{ not json"


async def test_print_config_starts_the_server_from_any_directory(tmp_path: Path) -> None:
    printed = dispatch("mcp", "--print-config")
    assert printed.code == 0, printed.stderr
    entry = json.loads(printed.stdout)["mcpServers"]["dispatch"]
    host_dir = tmp_path / "host"
    write(host_dir / "core" / "__init__.py", "raise SystemExit('the host directory was imported')\n")
    environment = {
        **entry["env"],
        "DISPATCH_HOME": os.environ["DISPATCH_HOME"],
        "DISPATCH_PROJECTS_DIR": os.environ["DISPATCH_PROJECTS_DIR"],
    }
    params = StdioServerParameters(command=entry["command"], args=entry["args"], env=environment, cwd=host_dir)
    with open(tmp_path / "server.log", "w") as errlog:
        async with Client(stdio_client(params, errlog=errlog), mode="legacy", read_timeout_seconds=60) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
    assert "dispatch" in names
    codex = dispatch("mcp", "--print-config", "codex")
    assert codex.code == 0 and codex.stdout.startswith("[mcp_servers.dispatch]")


def test_a_users_own_dispatch_entry_comes_back_on_uninstall(tmp_path: Path) -> None:
    home = tmp_path / "own-entry"
    mine = {"mcpServers": {"dispatch": {"command": "my-own-dispatch"}}, "theme": "dark"}
    config = write(home / ".claude.json", json.dumps(mine))
    assert run("install", "claude-code", home=home).code == 0
    assert json.loads(config.read_text())["mcpServers"]["dispatch"]["args"][-1] == "mcp"
    removed = run("uninstall", "claude-code", home=home)
    assert removed.code == 0 and "put back the earlier MCP server" in removed.stdout, removed.stdout
    assert json.loads(config.read_text()) == mine


def test_a_symlinked_config_is_edited_through_its_link(tmp_path: Path) -> None:
    home = tmp_path / "linked-home"
    real = write(tmp_path / "dotfiles" / "claude.json", json.dumps({"theme": "dark"}))
    home.mkdir()
    (home / ".claude.json").symlink_to(real)
    assert run("install", "claude-code", home=home).code == 0
    assert (home / ".claude.json").is_symlink() and "dispatch" in json.loads(real.read_text())["mcpServers"]
    assert run("uninstall", "claude-code", home=home).code == 0
    assert (home / ".claude.json").is_symlink() and json.loads(real.read_text()) == {"theme": "dark"}
