"""The run phase of `dispatch batch` alone: 200 dispatches at -j 50 against answers that take 200 ms, run in this
process with the fake server in a child process (so its threads do not take this interpreter's lock), timed as
wall and CPU seconds (every thread's, and the worker processes'), on this event loop alone and shared between
the default worker processes, and where an item's time goes: before its request is sent, and from its
answer's end to its envelope.

The fake server keeps its connections alive, as model APIs do, so the batch's shared connection pool is timed
reusing connections rather than opening one per dispatch. Each phase writes its trail into a fresh directory and
all are deleted only after the last phase: deleting one phase's ~2,400 files first made file creation in the next
several times slower on this filesystem, so phases were not comparable.

batch_throughput times whole processes; this isolates what the engine and the runner cost per dispatch. CPU time
moves less with the load of a shared machine than wall time does, so it is the figure to compare two trees by.
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from unittest import mock

from benchmarks._server import fake_openai
from benchmarks.batch_throughput import ANSWER_S, CONCURRENCY, ITEMS, SPEC, environment
from core import config as configs
from core.batch import procs
from core.batch.executor import Executor
from core.batch.manifest import Item
from core.batch.runner import Batch, Options
from core.engine import DispatchRequest
from core.events import Event, Finished, RunStarted, UsageUpdate


class Timed:
    """The batch's own executor, noting for each item how long it took to start its run and to end it."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner
        self.before: list[float] = []
        self.after: list[float] = []

    def running(self) -> AbstractAsyncContextManager[object]:
        return self.inner.running()

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
    reply = f"Reply(text='Hello there.', hang={ANSWER_S}, keep_alive=True)"
    with fake_openai(reply) as base_url, tempfile.TemporaryDirectory() as homes:
        for processes in (1, procs.auto(ITEMS)):
            run_phase(base_url, processes, Path(homes, f"phase-{processes}"))


def run_phase(base_url: str, processes: int, home: Path) -> None:
    """One batch of ITEMS with its items shared between `processes` (1: on this event loop), timed; its trail is
    left in `home` for the caller to delete after every phase has run."""
    with mock.patch.dict(os.environ, environment(str(home), base_url)):
        items = [Item(n, f"item-{n}", spec_text=SPEC, slug=f"item-{n}") for n in range(ITEMS)]
        batch = Batch.plan(configs.load(), items, Options(concurrency=CONCURRENCY, processes=processes))
        batch.executor = timed = Timed(batch.default_executor(ITEMS))
        cpu, wall = process_cpu(), time.perf_counter()
        summary = asyncio.run(batch.run())
        cpu, wall = process_cpu() - cpu, time.perf_counter() - wall
    ideal = ITEMS / CONCURRENCY * ANSWER_S
    print(
        f"batch run phase, {processes} process{'es' if processes > 1 else ''}: {summary['ok']}/{ITEMS} ok, wall "
        f"{wall:.2f} s ({wall / ideal:.2f}x the ideal {ideal:.1f} s), CPU {cpu:.2f} s = {cpu / ITEMS * 1000:.1f} ms "
        f"per dispatch; an item's median {statistics.median(timed.before) * 1000:.0f} ms before its request, "
        f"{statistics.median(timed.after) * 1000:.0f} ms from its answer's end to its envelope"
    )


def process_cpu() -> float:
    """This process's CPU seconds (every thread's) and its waited-for children's: the batch's workers."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
