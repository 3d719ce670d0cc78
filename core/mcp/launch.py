"""How a host starts this dispatch's MCP server: the command, arguments and environment it registers.

It is always this interpreter and this code. An installed package is started through its `dispatch` script (or
`python -P -m core` when there is none); a source checkout that the interpreter would not import by itself (a
clone, a worktree) gets PYTHONPATH pointing at it. `-P` keeps a host's working directory, which may hold a
package of its own called `core`, off the import path. The locations DISPATCH_HOME and DISPATCH_PROJECTS_DIR
are recorded when set, so the server sees the same config and trail as the shell that installed it; keys never are.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import core

SERVER_NAME = "dispatch"
KEPT_LOCATIONS = ("DISPATCH_HOME", "DISPATCH_PROJECTS_DIR")


@dataclass(frozen=True)
class Launch:
    command: str
    args: list[str]
    env: dict[str, str] = field(default_factory=dict)

    def entry(self) -> dict[str, object]:
        """The server's entry under `mcpServers`, the shape Claude Code, Gemini CLI and most hosts read."""
        return {"type": "stdio", "command": self.command, "args": self.args, "env": self.env}

    def print_config(self, host: str) -> str:
        if host == "codex":
            import tomli_w

            table: dict[str, object] = {"command": self.command, "args": self.args}
            if self.env:
                table["env"] = self.env
            return tomli_w.dumps({"mcp_servers": {SERVER_NAME: table}})
        return json.dumps({"mcpServers": {SERVER_NAME: self.entry()}}, indent=2) + "\n"


def launch(extra_args: list[str] | None = None) -> Launch:
    root = Path(core.__file__).resolve().parent.parent
    args = ["mcp", *(extra_args or [])]
    env = {name: str(Path(os.environ[name]).expanduser().resolve()) for name in KEPT_LOCATIONS if os.environ.get(name)}
    if _imports_core_from(root):
        script = Path(sys.executable).with_name("dispatch")
        if script.is_file() and os.access(script, os.X_OK):
            return Launch(str(script), args, env)
        return Launch(sys.executable, ["-P", "-m", "core", *args], env)
    return Launch(sys.executable, ["-P", "-m", "core", *args], {"PYTHONPATH": str(root), **env})


def _imports_core_from(root: Path) -> bool:
    """Whether this interpreter, started anywhere with no PYTHONPATH, imports the `core` package from `root`."""
    probe = "import core, os; print(os.path.realpath(core.__file__))"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    try:
        found = subprocess.run(
            [sys.executable, "-P", "-c", probe],
            capture_output=True,
            text=True,
            env=env,
            cwd=os.path.abspath(os.sep),
            stdin=subprocess.DEVNULL,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return found.returncode == 0 and Path(found.stdout.strip()).parent.parent == root
