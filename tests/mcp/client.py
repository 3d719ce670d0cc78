"""The official MCP SDK's client, connected over stdio to `python -m core mcp` run from this checkout."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

ROOT = Path(__file__).resolve().parents[2]


def server_params(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> StdioServerParameters:
    passed = {name: os.environ[name] for name in ("DISPATCH_HOME", "DISPATCH_PROJECTS_DIR", "NO_PROXY")}
    return StdioServerParameters(command=sys.executable, args=["-m", "core", "mcp", *args],
                                 env={**passed, "PYTHONPATH": str(ROOT), **(env or {})}, cwd=cwd)


@asynccontextmanager
async def connected(log: Path, *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT,
                    mode: str = "legacy") -> AsyncIterator[Client]:
    """A client session with a fresh server; the server's stderr goes to `log`."""
    with open(log, "w") as errlog:
        async with Client(stdio_client(server_params(*args, env=env, cwd=cwd), errlog=errlog), mode=mode,
                          read_timeout_seconds=120) as client:
            yield client


def data(result: Any) -> dict[str, Any]:
    """A tool result's JSON: the structured content, checked against the text a host shows the model."""
    text = result.content[0].text
    body = text.split("\n", 1)[1] if result.is_error else text
    assert json.loads(body) == result.structured_content
    return result.structured_content
