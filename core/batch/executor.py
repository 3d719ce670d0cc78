"""Where a batch's items run: behind one small interface, an item's request in, its events out (ending in
`Finished` with the envelope), so the batch logic never knows whether that happens here or elsewhere.

`LocalExecutor` runs each item on this process's event loop through the engine; `procs.ProcessExecutor` shares
them between worker processes, each running a `LocalExecutor`. A distributed executor (Ray tasks, Celery with
Redis) would implement the same two methods; README's design notes say what it must share.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from core.engine import DispatchRequest, Engine
from core.events import Event


class Executor(Protocol):
    def running(self) -> AbstractAsyncContextManager[object]:
        """Held around every `run` of a batch: what the executor starts for the batch, and stops after it."""
        ...

    def run(self, request: DispatchRequest) -> AsyncIterator[Event]:
        """Dispatch one item; yields its events, the last a `Finished`. Cancelling it interrupts the run."""
        ...


class LocalExecutor:
    """Items on this event loop, all through one engine (one limiter, one index writer, one pool)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def running(self) -> AbstractAsyncContextManager[object]:
        return contextlib.nullcontext()

    def run(self, request: DispatchRequest) -> AsyncIterator[Event]:
        return self.engine.dispatch(request)
