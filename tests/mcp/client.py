"""The official MCP SDK's client, connected over stdio to `python -m core mcp` run from this checkout."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

ROOT = Path(__file__).resolve().parents[2]


def server_params(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> StdioServerParameters:
    passed = {name: os.environ[name] for name in ("DISPATCH_HOME", "DISPATCH_PROJECTS_DIR", "NO_PROXY")}
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "core", "mcp", *args],
        env={**passed, "PYTHONPATH": str(ROOT), **(env or {})},
        cwd=cwd,
    )


@asynccontextmanager
async def connected(
    log: Path, *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT, mode: str = "legacy"
) -> AsyncIterator[Client]:
    """A client session with a fresh server; the server's stderr goes to `log`."""
    with open(log, "w") as errlog:
        async with Client(
            stdio_client(server_params(*args, env=env, cwd=cwd), errlog=errlog), mode=mode, read_timeout_seconds=120
        ) as client:
            yield client


def data(result: Any) -> dict[str, Any]:
    """A tool result's JSON: the structured content, checked against the text a host shows the model."""
    text = result.content[0].text
    body = text.split("\n", 1)[1] if result.is_error else text
    assert json.loads(body) == result.structured_content
    return result.structured_content


async def cli_run(base_url: str, slug: str, spec: str) -> subprocess.Popen[str]:
    """A `dispatch run --json` in a process of its own, returned once its run is on record (still running)."""
    env = {**os.environ, "DISPATCH_BASE_URL": base_url}
    cli = subprocess.Popen(
        [sys.executable, "-m", "core", "run", "--spec", "-", "--slug", slug, "--json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
        text=True,
    )
    assert cli.stdin is not None
    cli.stdin.write(spec)
    cli.stdin.close()
    logs = Path(os.environ["DISPATCH_PROJECTS_DIR"]) / slug / ".dispatch-logs"
    deadline = time.monotonic() + 60
    while not list(logs.glob("*-result.json")):
        assert time.monotonic() < deadline and cli.poll() is None, "the CLI run never started"
        await asyncio.sleep(0.05)
    return cli
