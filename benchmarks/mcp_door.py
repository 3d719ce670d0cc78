"""The MCP door's costs, through the SDK's own client over stdio against the fake OpenAI server on 127.0.0.1:
server start to a listed tool set, one `dispatch` call, and 20 concurrent calls over 5 projects (wall time)."""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import GOOD_SPEC

ROOT = Path(__file__).resolve().parent.parent
STARTS = 5
CALLS = 7


async def measure(env: dict[str, str]) -> str:
    params = StdioServerParameters(command=sys.executable, args=["-m", "core", "mcp"], env=env, cwd=ROOT)
    starts = []
    with open(os.devnull, "w") as quiet:
        for _ in range(STARTS):
            began = time.perf_counter()
            async with Client(stdio_client(params, errlog=quiet), mode="legacy") as client:
                await client.list_tools()
                starts.append(time.perf_counter() - began)
        async with Client(stdio_client(params, errlog=quiet), mode="legacy") as client:
            calls = []
            for n in range(CALLS):
                began = time.perf_counter()
                await client.call_tool("dispatch", {"spec": GOOD_SPEC, "slug": f"bench-one-{n}"})
                calls.append(time.perf_counter() - began)
            began = time.perf_counter()
            await asyncio.gather(
                *(
                    client.call_tool("dispatch", {"spec": GOOD_SPEC, "slug": f"bench-many-{n % 5}", "busy_wait": 300})
                    for n in range(20)
                )
            )
            many = time.perf_counter() - began
    return (
        f"server start to tools/list: median {statistics.median(starts) * 1000:.0f} ms ({STARTS} starts)   "
        f"one dispatch call: median {statistics.median(calls) * 1000:.0f} ms   "
        f"20 concurrent calls over 5 projects: {many * 1000:.0f} ms"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as home, FakeOpenAI([Reply(text="One sentence.", chunks=10)]) as server:
        env = {
            "DISPATCH_HOME": home,
            "DISPATCH_PROJECTS_DIR": f"{home}/projects",
            "DISPATCH_BASE_URL": server.base_url,
            "NO_PROXY": "127.0.0.1",
            "PYTHONPATH": str(ROOT),
        }
        print(asyncio.run(measure(env)))


if __name__ == "__main__":
    main()
