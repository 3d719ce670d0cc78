"""`dispatch install claude-code` / `uninstall claude-code`: the skill and the MCP server, where Claude Code reads
them, and back out again.

    user scope     ~/.claude/skills/dispatch/SKILL.md    ~/.claude.json  mcpServers.dispatch
    project scope  .claude/skills/dispatch/SKILL.md      .mcp.json       mcpServers.dispatch

The server is registered the way Claude Code documents it: `claude mcp add-json` when `claude` is on PATH, else by
editing the JSON file atomically, keeping every other key and the file's permissions. What was there before (the
config's exact bytes, an earlier skill file) is kept in $DISPATCH_HOME/state/installs/ (mode 0600: ~/.claude.json
can hold a key), so uninstall puts it back byte for byte when nothing else changed since, and otherwise removes
only what install added. A second install with nothing to change changes nothing.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core import paths
from core.errors import DispatchError, UsageError
from core.fsutil import atomic_write_bytes, read_json
from core.mcp.launch import SERVER_NAME, launch

SCOPES = ("user", "project")


@dataclass(frozen=True)
class Target:
    scope: str
    skill: Path
    config: Path
    state: Path

    @classmethod
    def of(cls, scope: str, home: Path | None = None, here: Path | None = None) -> Target:
        base = (home or Path.home()) if scope == "user" else (here or Path.cwd()).resolve()
        key = "user" if scope == "user" else "project-" + (base.as_posix().strip("/").replace("/", "_") or "root")
        return cls(
            scope,
            base / ".claude" / "skills" / "dispatch" / "SKILL.md",
            base / (".claude.json" if scope == "user" else ".mcp.json"),
            paths.state_dir() / "installs" / f"claude-code-{key[-120:]}.json",
        )


def skill_source() -> Path:
    """SKILL.md from a source checkout, else where the wheel's data files put it."""
    for candidate in (
        Path(__file__).resolve().parents[2] / "SKILL.md",
        Path(sys.prefix) / "share" / "dispatch-console" / "SKILL.md",
    ):
        if candidate.is_file():
            return candidate
    raise DispatchError("SKILL.md is not where this install keeps it", "reinstall dispatch-console")


def install(target: Target, dry_run: bool = False) -> list[str]:
    """Install the skill and register the server; returns what changed (or would), empty when already done."""
    skill = skill_source().read_bytes()
    server = launch()
    entry = server.entry()
    config = _read(target.config)
    skill_stale = _read(target.skill) != skill
    entry_stale = _servers(target.config, config).get(SERVER_NAME) != entry
    verb = "would " if dry_run else ""
    changes = [f"{verb}write the skill {target.skill}"] * skill_stale
    if entry_stale:
        changes.append(
            f"{verb}register MCP server '{SERVER_NAME}' in {target.config} ({target.scope} scope): "
            f"{server.command} {' '.join(server.args)}"
        )
    if dry_run or not changes:
        return changes
    state = _state(target) or {"skill_before": _encode(_read(target.skill)), "config_before": _encode(config)}
    _write(target.state, json.dumps(state).encode(), 0o600)
    if skill_stale:
        _write(target.skill, skill)
    if entry_stale:
        changes[-1] += f", by {_register(target, entry, config)}"
    return changes


def uninstall(target: Target, dry_run: bool = False) -> list[str]:
    """Take out what install added, putting back what was there before when nothing else changed since."""
    state = _state(target)
    config = _read(target.config)
    skill_before = _decode(state.get("skill_before")) if state else None
    verb = "would " if dry_run else ""
    changes = []
    before = _decode(state.get("config_before")) if state else None
    earlier = _servers(target.config, before).get(SERVER_NAME)
    if SERVER_NAME in _servers(target.config, config):
        changes.append(
            f"{verb}{'put back the earlier' if earlier is not None else 'remove'} MCP server '{SERVER_NAME}' "
            f"{'in' if earlier is not None else 'from'} {target.config}"
        )
    if target.skill.exists() and _read(target.skill) != skill_before:
        changes.append(
            f"{verb}{'restore the earlier' if skill_before is not None else 'remove the'} skill {target.skill}"
        )
    if dry_run:
        return changes
    if SERVER_NAME in _servers(target.config, config):
        after = _unregister(target, config)
        if earlier is not None:  # the user's own `dispatch` entry, which install replaced
            data = _object(target.config, after)
            data.setdefault("mcpServers", {})[SERVER_NAME] = earlier
            _write_json(target.config, data)
            after = _read(target.config)
        if state is not None and after != before and _object(target.config, after) == _object(target.config, before):
            _restore(target.config, before)
    if target.skill.exists() and _read(target.skill) != skill_before:
        if skill_before is None:
            target.skill.unlink()
            _prune(target.skill.parent, stop=target.skill.parents[2])
        else:
            _write(target.skill, skill_before)
    target.state.unlink(missing_ok=True)
    return changes


def _register(target: Target, entry: dict[str, Any], config: bytes | None) -> str:
    claude = shutil.which("claude")
    if claude:
        if SERVER_NAME in _servers(target.config, config):
            _claude([claude, "mcp", "remove", "--scope", target.scope, SERVER_NAME], target)
        if _claude([claude, "mcp", "add-json", "--scope", target.scope, SERVER_NAME, json.dumps(entry)], target):
            return "`claude mcp add-json`"
    data = _object(target.config, _read(target.config))
    data.setdefault("mcpServers", {})[SERVER_NAME] = entry
    _write_json(target.config, data)
    return "editing the file"


def _unregister(target: Target, config: bytes | None) -> bytes | None:
    """Take our entry out (through `claude mcp remove` when claude is on PATH); returns the config's bytes after."""
    claude = shutil.which("claude")
    if not (claude and _claude([claude, "mcp", "remove", "--scope", target.scope, SERVER_NAME], target)):
        data = _object(target.config, config)
        data["mcpServers"].pop(SERVER_NAME, None)
        if not data["mcpServers"]:
            del data["mcpServers"]
        _write_json(target.config, data)
    return _read(target.config)


def _claude(command: list[str], target: Target) -> bool:
    """Run a `claude mcp` command from the scope's directory; False (and a warning) when it fails."""
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
            check=False,
            cwd=target.config.parent,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        why = str(exc)
    else:
        if done.returncode == 0:
            return True
        why = f"exit {done.returncode}: {(done.stderr or done.stdout).strip()[:200]}"
    print(
        f"dispatch: warning: `claude mcp {command[2]}` failed ({why}); editing {target.config} instead", file=sys.stderr
    )
    return False


def _servers(path: Path, raw: bytes | None) -> dict[str, Any]:
    servers: dict[str, Any] = _object(path, raw).get("mcpServers", {})
    return servers


def _object(path: Path, raw: bytes | None) -> dict[str, Any]:
    """The config as a JSON object; a file that is not one is refused, never overwritten."""
    if raw is None or not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("mcpServers", {}), dict):
        raise UsageError(
            f"{path} is not a JSON object with an mcpServers object, so it was left alone",
            "fix or move the file, then run the command again",
        )
    return data


def _write_json(path: Path, data: dict[str, Any]) -> None:
    _write(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode())


def _write(path: Path, data: bytes, mode: int | None = None) -> None:
    """Atomically, keeping an existing file's permission bits unless told otherwise, and through a symlink (a
    dotfile manager's link to its repo stays a link: replacing it would fork the user's config)."""
    if mode is None and path.exists():
        mode = path.stat().st_mode & 0o7777
    atomic_write_bytes(path.resolve(), data, mode)


def _restore(path: Path, before: bytes | None) -> None:
    if before is None:
        path.unlink(missing_ok=True)
    else:
        _write(path, before)


def _prune(directory: Path, stop: Path) -> None:
    """Remove the skill's directories install made, up to (not including) `stop`, while they are empty."""
    while directory != stop and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent


def _state(target: Target) -> dict[str, Any] | None:
    try:
        state = read_json(target.state)
    except (FileNotFoundError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _encode(raw: bytes | None) -> str | None:
    return None if raw is None else base64.b64encode(raw).decode()


def _decode(text: Any) -> bytes | None:
    return base64.b64decode(text) if isinstance(text, str) else None
