"""A batch's items shared between worker processes, so that it uses more than one core: each item costs several
milliseconds of CPU in the engine and the HTTP client, and one event loop runs on one core only.

The parent keeps everything the batch must have exactly once: the plan, the budget ledger (it admits every item
before sending it to a worker, so the cap holds across workers), the rate limiter (a worker's engine asks the
parent for each attempt's slot and reports each 429, so limits and cooldowns are shared), the trail, progress and
stdout. A worker (`python -m core.batch.worker`) only runs the items it is handed through its own engine, makes
what they wrote durable (index rows, fsyncs), and only then says they finished.

Parent and worker talk over the worker's stdin and stdout in length-prefixed pickles: both ends are this code, in
processes of one user. A worker exits when its stdin closes: the parent's end of the batch, or the parent's death
(SIGKILL included), whereupon it interrupts what it runs (recorded interrupted, for a resume) instead of going on.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import pickle
import struct
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from core.backends.base import TransientError
from core.batch.limits import Limiter
from core.config import Config, ModelConfig
from core.engine import DispatchRequest
from core.envelope import stop_of
from core.errors import DispatchError
from core.events import AttemptStarted, Event, Finished, Notice, RunStarted, UsageUpdate

ITEMS_PER_PROCESS = 50
"""Items that pay for starting one more worker: a start costs about 0.3 s of CPU (imports), an item about 9 ms."""
PROCESSES_PER_CPU = 4
"""Workers a core can usefully take: each already runs many items at once, so more only add starts and memory."""
STOP_S = 30.0
"""How long a worker whose stdin has closed may take to interrupt its items and exit before it is killed."""
FORWARDED = (RunStarted, AttemptStarted, UsageUpdate, Notice, Finished)
"""The events a batch reads; a worker keeps the others (text deltas, tool calls) to itself: its run files hold them."""
FRAME = struct.Struct("!I")


def auto(items: int) -> int:
    """Worker processes for `items`: one per core, but none that the items would not pay for (1: none at all)."""
    return max(1, min(os.cpu_count() or 1, items // ITEMS_PER_PROCESS))


def most() -> int:
    """The most worker processes `-P` may ask for on this machine."""
    return PROCESSES_PER_CPU * (os.cpu_count() or 1)


def for_items(requested: int | None, items: int) -> int:
    """Worker processes for `items`: as requested (None: `auto`), but never more than the items or `most`, since a
    worker with no item to run would only cost its start."""
    if requested is None:
        return auto(items)
    return max(1, min(requested, items, most()))


def frame(message: object) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return FRAME.pack(len(data)) + data


async def read_frame(reader: asyncio.StreamReader) -> Any:
    """The next message, or None when the other end has gone."""
    try:
        size = FRAME.unpack(await reader.readexactly(FRAME.size))[0]
        return pickle.loads(await reader.readexactly(size))
    except asyncio.IncompleteReadError:
        return None


class WorkerError(DispatchError):
    """An item's failure in a worker (a DispatchError's one line and reason: exceptions do not all pickle), or
    the worker's death."""

    def __init__(self, message: str, reason: str = "internal_error") -> None:
        super().__init__(message)
        self.reason = reason


class Worker:
    """One worker process as the parent sees it: its pipe, its items in flight and the rate-limit slots it holds."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.runs: dict[int, asyncio.Queue[Event | BaseException | None]] = {}
        """Each item's events as they come; None when its run ended without a `Finished`."""
        self.slots: dict[int, asyncio.Future[int]] = {}
        """Each slot's release, with the tokens its request used."""
        self.gone = False
        self.reading: asyncio.Task[None] | None = None

    def send(self, message: object) -> None:
        stdin = self.proc.stdin
        if stdin is not None and not self.gone and not stdin.is_closing():
            stdin.write(frame(message))


class ProcessExecutor:
    """Items sent to the least busy of `processes` workers; see the module docstring for what stays here."""

    def __init__(
        self, config: Config, limiter: Limiter, processes: int, notice: Callable[[str], None] = lambda text: None
    ) -> None:
        self.config = config
        self.limiter = limiter
        self.processes = processes
        self.notice = notice
        self.workers: list[Worker] = []
        self._ids = itertools.count()
        self._holding: set[asyncio.Task[None]] = set()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[object]:
        try:
            for _ in range(self.processes):
                self.workers.append(await self._start())
            yield self
        finally:
            await asyncio.gather(*(self._stop(worker) for worker in self.workers))
            for task in self._holding:
                task.cancel()

    async def _start(self) -> Worker:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "core.batch.worker",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            start_new_session=True,  # a terminal's Ctrl-C reaches the parent only, which interrupts the items
        )
        worker = Worker(proc)
        worker.reading = asyncio.create_task(self._read(worker))
        return worker

    async def _stop(self, worker: Worker) -> None:
        if worker.proc.stdin is not None:
            worker.proc.stdin.close()
        try:
            await asyncio.wait_for(worker.proc.wait(), STOP_S)
        except TimeoutError:
            worker.proc.kill()
            await worker.proc.wait()
        if worker.reading is not None:
            await asyncio.wait([worker.reading])

    async def run(self, request: DispatchRequest) -> AsyncIterator[Event]:
        alive = [worker for worker in self.workers if not worker.gone]
        if not alive:
            raise WorkerError("every worker process of the batch has died; resume the batch to run this item")
        worker = min(alive, key=lambda w: len(w.runs))
        key = next(self._ids)
        events: asyncio.Queue[Event | BaseException | None] = asyncio.Queue()
        worker.runs[key] = events
        worker.send(("run", key, request))
        try:
            while (event := await events.get()) is not None:
                if isinstance(event, BaseException):
                    raise event
                yield event
                if isinstance(event, Finished):
                    return
        except asyncio.CancelledError as exc:
            worker.send(("cancel", key, stop_of(exc)[1]))  # the worker's record keeps why
            while not isinstance(await events.get(), Finished | BaseException | None):
                pass  # the worker has recorded the run interrupted once its end comes
            raise
        finally:
            worker.runs.pop(key, None)

    async def _read(self, worker: Worker) -> None:
        """Everything a worker says, until it exits; then its items in flight fail (a resume runs them again)."""
        why = "stopped answering"
        try:
            while (message := await read_frame(worker.proc.stdout)) is not None:  # type: ignore[arg-type]
                self._heard(worker, *message)
            why = f"exited (code {await worker.proc.wait()})"
        except Exception as exc:  # noqa: BLE001 - the items must end either way, not wait for a worker nobody hears
            why = f"said what the batch could not follow ({type(exc).__name__}: {exc})"
        finally:
            worker.gone = True
            for events in worker.runs.values():
                events.put_nowait(WorkerError(f"the batch's worker process {worker.proc.pid} {why}"))
            for release in worker.slots.values():
                if not release.done():
                    release.set_result(0)

    def _heard(self, worker: Worker, kind: str, *rest: Any) -> None:
        if kind in ("event", "end", "error"):
            if (events := worker.runs.get(rest[0])) is not None:
                events.put_nowait(rest[1] if kind == "event" else None if kind == "end" else WorkerError(*rest[1:]))
        elif kind == "slot":
            key, model, tokens = rest
            worker.slots[key] = asyncio.get_running_loop().create_future()
            task = asyncio.create_task(self._hold(worker, key, self.config.model(model), tokens))
            self._holding.add(task)
            task.add_done_callback(self._holding.discard)
        elif kind == "release":
            key, used, cooled = rest
            if cooled is not None:  # before the slot is free: no waiting item may send before the cooldown
                self.limiter.cooled(self.config.model(cooled[0]), cooled[1])
            if (release := worker.slots.get(key)) is not None and not release.done():
                release.set_result(used)
        elif kind == "cooled":
            self.limiter.cooled(self.config.model(rest[0]), rest[1])
        elif kind == "notice":
            self.notice(rest[0])

    async def _hold(self, worker: Worker, key: int, model: ModelConfig, tokens: int) -> None:
        """A worker's rate-limit slot, held here in the one limiter until the worker releases it."""
        try:
            async with self.limiter.slot(model, tokens) as used:
                worker.send(("granted", key))
                used(await worker.slots[key])
        finally:
            worker.slots.pop(key, None)


class RemoteLimiter(Limiter):
    """A worker's limiter: the parent's, asked over the pipe for each slot; a 429's cooldown is reported there."""

    def __init__(self, send: Callable[[object], None]) -> None:
        super().__init__()
        self.send = send
        self.grants: dict[int, asyncio.Future[None]] = {}
        self._ids = itertools.count()

    @asynccontextmanager
    async def slot(self, model: ModelConfig, tokens: int = 0) -> AsyncIterator[Callable[[int], None]]:
        key = next(self._ids)
        self.grants[key] = asyncio.get_running_loop().create_future()
        used = [0]
        cooled: tuple[str, float | None] | None = None
        self.send(("slot", key, model.name, tokens))
        try:
            await self.grants[key]
            yield used.append
        except TransientError as exc:
            if exc.rate_limited:  # said with the release, or a waiting item could get the slot before the cooldown
                cooled = (model.name, exc.retry_after)
            raise
        finally:
            del self.grants[key]
            self.send(("release", key, used[-1], cooled))

    def granted(self, key: int) -> None:
        with contextlib.suppress(KeyError, asyncio.InvalidStateError):
            self.grants[key].set_result(None)

    def cooled(self, model: ModelConfig, retry_after: float | None) -> None:
        self.send(("cooled", model.name, retry_after))
