"""The run phase of `dispatch batch` alone: 200 dispatches at -j 50 against answers that take 200 ms, run in this
process with the fake server in a child process (so its threads do not take this interpreter's lock), timed as
wall and CPU seconds (every thread's), and where an item's time goes: before its request is sent, and from its
answer's end to its envelope.

batch_throughput times whole processes; this isolates what the engine and the runner cost per dispatch. CPU time
moves less with the load of a shared machine than wall time does, so it is the figure to compare two trees by.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from unittest import mock

from benchmarks.batch_throughput import ANSWER_S, CONCURRENCY, ITEMS, SPEC, environment
from core import config as configs
from core.batch.executor import Executor
from core.batch.manifest import Item
from core.batch.runner import Batch, Options
from core.engine import DispatchRequest
from core.events import Event, Finished, RunStarted, UsageUpdate

ROOT = Path(__file__).resolve().parent.parent
SERVER = (
    "import sys\n"
    "from tests.fakes.openai_server import FakeOpenAI, Reply\n"
    "with FakeOpenAI([Reply(text='Hello there.', hang=float(sys.argv[1]))]) as server:\n"
    "    print(server.base_url, flush=True)\n"
    "    sys.stdin.read()\n"
)


class Timed:
    """The batch's own executor, noting for each item how long it took to start its run and to end it."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner
        self.before: list[float] = []
        self.after: list[float] = []

    async def run(self, request: DispatchRequest) -> AsyncIterator[Event]:
        began = last = time.perf_counter()
        async for event in self.inner.run(request):
            now = time.perf_counter()
            if isinstance(event, RunStarted):
                self.before.append(now - began)
            elif isinstance(event, Finished):
                self.after.append(now - last)
            if isinstance(event, UsageUpdate):  # the answer's last chunk
                last = now
            yield event


def main() -> None:
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(ANSWER_S)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        with tempfile.TemporaryDirectory() as home, mock.patch.dict(os.environ, environment(home, base_url)):
            items = [Item(n, f"item-{n}", spec_text=SPEC, slug=f"item-{n}") for n in range(ITEMS)]
            batch = Batch.plan(configs.load(), items, Options(concurrency=CONCURRENCY))
            batch.executor = timed = Timed(batch.executor)
            cpu, wall = time.process_time(), time.perf_counter()
            summary = asyncio.run(batch.run())
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=10)
    ideal = ITEMS / CONCURRENCY * ANSWER_S
    print(
        f"batch run phase in-process: {summary['ok']}/{ITEMS} ok, wall {wall:.2f} s ({wall / ideal:.2f}x the ideal "
        f"{ideal:.1f} s), CPU {cpu:.2f} s = {cpu / ITEMS * 1000:.1f} ms per dispatch; an item's median "
        f"{statistics.median(timed.before) * 1000:.0f} ms before its request, "
        f"{statistics.median(timed.after) * 1000:.0f} ms from its answer's end to its envelope"
    )


if __name__ == "__main__":
    main()
