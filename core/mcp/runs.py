"""Runs the MCP door started, kept in flight as tasks of the server's event loop.

A tool call that starts a run returns as soon as the engine has recorded it (or refused it), so `start` can hand
back a run id while `dispatch` waits on the same task. While a run is live its progress (tokens, the last tool
call) is held here for `status` and for progress notifications; once it ends, the trail is the only truth and
every question about it is answered from there, as for runs any other process made.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core import config as configs
from core import paths
from core.audit.index_writer import recover
from core.audit.store import RESULT_SUFFIX, Project, validate_slug
from core.batch.runner import Batch
from core.cancel import stop_elsewhere
from core.engine import DispatchRequest, Engine
from core.envelope import Envelope, Status
from core.errors import DispatchError, UsageError
from core.events import Event, Finished, RunStarted, TextDelta, ToolCall, UsageUpdate
from core.fsutil import read_json

log = logging.getLogger("dispatch.mcp")
RUN_ID = re.compile(r"\d{8}-\d{6}-\d+-\d+")
"""How core.audit.store.new_run_id spells a run id; anything else is refused before it reaches a path."""
CANCEL_GRACE = 30.0
"""Seconds a cancelled run gets to stop its agent (TERM, 3 s, KILL) and write its record."""
PROGRESS_EVERY = 1.0
"""Seconds between progress notifications to a waiting caller, at most one per change."""
ELSEWHERE_POLL = 0.5
"""Seconds between looks at the record of a run another process is running."""


@dataclass
class Progress:
    """What a live run has done so far; reported to a waiting caller and by `status`."""

    events: int = 0
    text_chars: int = 0
    tool_calls: int = 0
    last_tool_call: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0

    def take(self, event: Event) -> None:
        self.events += 1
        if isinstance(event, TextDelta):
            self.text_chars += len(event.text)
        elif isinstance(event, ToolCall):
            self.tool_calls += 1
            self.last_tool_call = event.name
        elif isinstance(event, UsageUpdate):
            self.input_tokens, self.output_tokens = event.input_tokens, event.output_tokens

    def message(self) -> str:
        tokens = (
            f"{self.input_tokens}+{self.output_tokens} tokens"
            if self.input_tokens or self.output_tokens
            else f"{self.text_chars} characters"
        )
        tool = f"; last tool call: {self.last_tool_call}" if self.last_tool_call else ""
        return f"{tokens} so far, {self.tool_calls} tool calls{tool}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class LiveRun:
    run_id: str
    slug: str
    audit_path: str
    task: asyncio.Task[None]
    progress: Progress = field(default_factory=Progress)

    def running(self) -> dict[str, Any]:
        """The answer for a run that has not ended yet."""
        return {
            "run_id": self.run_id,
            "slug": self.slug,
            "status": str(Status.RUNNING),
            "audit_path": self.audit_path,
            "progress": self.progress.to_dict(),
            "hint": "call `result` with wait_seconds to wait for the envelope, `status` for progress, "
            "`cancel` to stop it",
        }


Report = Callable[[int, str], Awaitable[None]]
"""Sends a progress notification: a count that only grows, and a line saying what it counts."""


class Runs:
    """The live runs of one server; each is an ordinary engine run, so the trail, index and console see it."""

    def __init__(self) -> None:
        self.live: dict[str, LiveRun] = {}
        self.batches: dict[Batch, asyncio.Task[dict[str, Any]]] = {}

    async def start(
        self, request: DispatchRequest, on_end: Callable[[str | None], None] | None = None
    ) -> LiveRun | Envelope:
        """Start a run and return once it is recorded (a LiveRun) or refused (its envelope). A DispatchError the
        engine raises before recording anything (busy project, no usable backend) is raised here. `on_end` is
        called with the run's id (None if refused) once the run has ended and released its project lock."""
        engine = Engine(configs.load())
        begun: asyncio.Future[LiveRun | Envelope] = asyncio.get_running_loop().create_future()
        holder: dict[str, LiveRun] = {}

        async def drive() -> None:
            try:
                async for event in engine.dispatch(request):
                    if isinstance(event, RunStarted):
                        live = LiveRun(event.run_id, event.slug, event.audit_path, task)
                        holder["run"] = self.live[event.run_id] = live
                        begun.set_result(live)
                    elif "run" in holder:
                        holder["run"].progress.take(event)
                    elif isinstance(event, Finished):
                        begun.set_result(event.envelope)
            except BaseException as exc:
                if not begun.done():
                    begun.set_exception(exc if isinstance(exc, Exception) else DispatchError("the run was stopped"))
                raise
            finally:
                if "run" in holder:
                    self.live.pop(holder["run"].run_id, None)
                if on_end is not None and begun.done() and begun.exception() is None:
                    _ended(on_end, holder["run"].run_id if "run" in holder else None)

        task = asyncio.create_task(drive())
        task.add_done_callback(_quiet)
        return await asyncio.shield(begun)

    async def wait(self, run_id: str, slug: str | None, seconds: float, report: Report | None = None) -> dict[str, Any]:
        """The run's envelope once it ends, or its progress if `seconds` pass first; reports progress meanwhile."""
        live = self.live.get(run_id)
        if live is not None:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + seconds
            reported = 0
            while not live.task.done() and (remaining := deadline - loop.time()) > 0:
                await asyncio.wait({live.task}, timeout=min(remaining, PROGRESS_EVERY))
                if report is not None and live.progress.events != reported and not live.task.done():
                    reported = live.progress.events
                    await report(live.progress.events, live.progress.message())
            if not live.task.done():
                return live.running()
            return envelope_data(read_envelope(run_id, live.slug))
        return envelope_data(await self._wait_elsewhere(run_id, slug, seconds))

    @staticmethod
    async def _wait_elsewhere(run_id: str, slug: str | None, seconds: float) -> Envelope:
        """A run another process runs: its record, re-read until it ends or `seconds` pass; a record whose runner
        died is marked interrupted first, so nobody waits on a run that will never end."""
        envelope = read_envelope(run_id, slug)
        if envelope.status == Status.RUNNING:
            recover(Project.at(envelope.slug))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while (envelope := read_envelope(run_id, envelope.slug)).status == Status.RUNNING and (
            remaining := deadline - loop.time()
        ) > 0:
            await asyncio.sleep(min(remaining, ELSEWHERE_POLL))
        return envelope

    async def cancel(self, run_id: str, slug: str | None) -> dict[str, Any]:
        """Stop a run; it is recorded interrupted. One this server started is cancelled here (reason `cancelled`);
        one a CLI process runs gets SIGTERM once that process is proven to be the run's (reason `signal`)."""
        live = self.live.get(run_id)
        if live is None:
            envelope = read_envelope(run_id, slug)
            if envelope.status == Status.RUNNING and stop_elsewhere(Project.at(envelope.slug), run_id):
                ended = await self._wait_elsewhere(run_id, envelope.slug, CANCEL_GRACE)
                return {
                    **envelope_data(ended),
                    "cancelled": ended.status != Status.RUNNING,
                    "note": "sent SIGTERM to the process running it",
                }
            envelope = await self._wait_elsewhere(run_id, envelope.slug, 0.0)
            return {
                **envelope_data(envelope),
                "cancelled": False,
                "note": f"the run had already ended {envelope.status}",
            }
        live.task.cancel("cancelled")
        await asyncio.wait({live.task}, timeout=CANCEL_GRACE)
        return {**envelope_data(read_envelope(run_id, live.slug)), "cancelled": True}

    async def run_batch(self, batch: Batch, report: Report) -> dict[str, Any]:
        """Run a planned batch to its end, reporting each item that ends; the summary and every item's outcome."""
        task = self.batches[batch] = asyncio.create_task(batch.run())
        try:
            reported = -1
            while not task.done():
                await asyncio.wait({task}, timeout=PROGRESS_EVERY)
                totals = batch.totals()
                if (ended := totals.done + totals.skipped + totals.rejected) != reported and not task.done():
                    reported = ended
                    await report(ended, totals.line())
            summary = task.result()
        finally:
            self.batches.pop(batch, None)
            if not task.done():
                batch.cancel("cancelled")  # the client cancelled its call
                await asyncio.wait({task}, timeout=CANCEL_GRACE)
        return {**summary, "items": [view.outcome() for view in batch.views]}

    def latest(self, slug: str) -> str:
        """The run `status`/`result`/`cancel` mean when given only a project: its live one, else its newest."""
        validate_slug(slug)
        for live in self.live.values():
            if live.slug == slug:
                return live.run_id
        project = Project.at(slug)
        runs = project.run_ids() if project.exists() else []
        if not runs:
            raise UsageError(f"project '{slug}' has no runs", "see the `list` tool for the projects there are")
        return runs[-1]

    async def stop_all(self) -> None:
        """Cancel every live run and batch and let each record itself interrupted (the host went away)."""
        tasks: list[asyncio.Task[Any]] = [live.task for live in self.live.values()]
        for task in tasks:
            task.cancel()
        for batch, running in self.batches.items():
            batch.cancel()
            tasks.append(running)
        if tasks:
            await asyncio.wait(tasks, timeout=CANCEL_GRACE)


def _ended(on_end: Callable[[str | None], None], run_id: str | None) -> None:
    """Tell the caller a run ended; a failure there is logged, the run itself stays as recorded."""
    try:
        on_end(run_id)
    except DispatchError as exc:
        log.warning("after run %s: %s", run_id, exc.one_line())


def _quiet(task: asyncio.Task[None]) -> None:
    """A run's outcome lives in its record; retrieve the task's exception so asyncio does not log it."""
    if not task.cancelled():
        task.exception()


def check_run_id(run_id: str) -> str:
    if not RUN_ID.fullmatch(run_id):
        raise UsageError(
            f"invalid run id {run_id!r}", "run ids look like 20261202-041500-1234-1; see the `status` tool"
        )
    return run_id


def read_envelope(run_id: str, slug: str | None) -> Envelope:
    """A run's envelope from its result file, found by its id (and project, when given)."""
    check_run_id(run_id)
    path = _result_path(run_id, slug)
    try:
        return Envelope.from_dict(read_json(path))
    except FileNotFoundError:
        raise UsageError(
            f"no run {run_id}" + (f" in project '{slug}'" if slug else ""),
            "see the `status` or `list` tools for the runs there are",
        ) from None
    except (OSError, ValueError, TypeError) as exc:
        raise DispatchError(f"the record of run {run_id} cannot be read: {exc}", f"look at {path}") from None


def _result_path(run_id: str, slug: str | None) -> Path:
    if slug:
        return Project.at(slug).result_path(run_id)
    found = sorted(paths.projects_dir().glob(f"*/.dispatch-logs/{run_id}{RESULT_SUFFIX}"))
    if not found:
        raise UsageError(f"no run {run_id}", "see the `status` or `list` tools for the runs there are")
    return found[0]


def envelope_data(envelope: Envelope) -> dict[str, Any]:
    """The envelope as a tool returns it: the CLI's --json object plus the exit code the CLI would give."""
    return {**envelope.to_dict(), "exit_code": int(envelope.exit_code)}
