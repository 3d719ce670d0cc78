"""`python -m core.batch.worker`: one worker process of a multi-process batch (core/batch/procs.py).

It runs the items the parent sends through one engine (its own HTTP pool and index writer, the parent's rate
limiter over the pipe), tells the parent about each item's events, and says an item finished only once the
group commit after it has made its files durable. When its stdin closes (the batch is over, or the parent has
died) it interrupts whatever still runs, makes that durable too, and exits.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import BinaryIO

from core import config as configs
from core.audit.batched_index import BatchedIndexWriter
from core.backends import http_pool
from core.batch.durable import Committer
from core.batch.executor import LocalExecutor
from core.batch.procs import FORWARDED, RemoteLimiter, frame, read_frame
from core.engine import DispatchRequest, Engine
from core.errors import DispatchError
from core.events import Finished
from core.fsutil import GroupCommit, Part


class Serve:
    """The worker's loop: messages from the parent in, items run, their events and ends sent back."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.limiter = RemoteLimiter(self.send)
        self.index = BatchedIndexWriter()
        self.executor = LocalExecutor(
            Engine(configs.load(), index=self.index, limiter=self.limiter, check_budgets=False)
        )
        self.items: dict[int, asyncio.Task[None]] = {}

    def send(self, message: object) -> None:
        try:
            self.out.write(frame(message))
            self.out.flush()
        except OSError:  # the parent has gone; stdin's end stops this worker
            pass

    async def main(self) -> None:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin.buffer)
        stopping = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stopping.set)
        with GroupCommit() as commit:
            committer: Committer[object] = Committer(self.index, commit, self.send, self._notice)
            async with http_pool.Pool().current():
                committing = asyncio.create_task(committer.loop())
                listening = asyncio.create_task(self._listen(reader, committer))
                await asyncio.wait([listening, asyncio.create_task(stopping.wait())], return_when="FIRST_COMPLETED")
                listening.cancel()
                for task in self.items.values():
                    task.cancel()
                await asyncio.wait([listening, *self.items.values()])
                committing.cancel()
                await asyncio.wait([committing])
                await committer.commit()
        if warning := self.index.close():
            self._notice(warning)

    def _notice(self, message: str) -> None:
        self.send(("notice", message))

    async def _listen(self, reader: asyncio.StreamReader, committer: Committer[object]) -> None:
        while (message := await read_frame(reader)) is not None:
            kind, key, *rest = message
            if kind == "run":
                with committer.part() as part:  # the task's own context keeps it
                    self.items[key] = asyncio.create_task(self._item(key, rest[0], committer, part))
            elif kind == "cancel" and key in self.items:
                self.items[key].cancel(rest[0])
            elif kind == "granted":
                self.limiter.granted(key)

    async def _item(self, key: int, request: DispatchRequest, committer: Committer[object], part: Part) -> None:
        end: tuple[object, ...] = ("end", key)
        try:
            async for event in self.executor.run(request):
                if isinstance(event, Finished):
                    end = ("event", key, event)
                elif isinstance(event, FORWARDED):
                    self.send(("event", key, event))
        except DispatchError as exc:
            end = ("error", key, exc.one_line(), exc.reason)
        except asyncio.CancelledError:
            pass  # the engine has recorded the run interrupted; the parent hears its end after the commit
        except Exception as exc:  # noqa: BLE001 - one item's bug must not end the worker's other items
            end = ("error", key, f"internal error: {type(exc).__name__}: {exc}", "internal_error")
        finally:
            del self.items[key]
            committer.add(end, part)


def main() -> None:
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print goes to stderr, not into a frame
    asyncio.run(Serve(out).main())


if __name__ == "__main__":
    main()
