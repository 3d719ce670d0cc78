"""Many dispatches in one process: plan every item first (read, lint, route, estimate), then run them on one
event loop with a cap on concurrency, a smaller one for agents (each a heavy local process), items of one
project in manifest order and different projects in parallel, shared rate limits, one HTTP pool per endpoint,
index writes and fsyncs gathered, a budget ledger that stops launching, and a trail a resume can read.

`Batch` is the whole API (the CLI and the console are thin layers over it):

    batch = Batch.plan(config, items, Options(concurrency=50))   # or Batch.resume(config, batch_id, options)
    batch.rejected                                               # items that cannot run, all at once
    summary = await batch.run(on_item=print_envelope)            # batch.cancel() stops it (exit 130)
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core import spec as specs
from core import tiers
from core.audit.batched_index import BatchedIndexWriter
from core.audit.store import Project
from core.backends import backend_class, backend_for, http_pool
from core.batch import budgets, manifest, procs
from core.batch.durable import Committer
from core.batch.executor import Executor, LocalExecutor
from core.batch.limits import Limiter
from core.batch.manifest import Item
from core.batch.trail import CANCEL_POLL_S, BatchTrail, ItemRecord
from core.config import Config
from core.dollars import money
from core.engine import DispatchRequest, Engine, LintMemo, compose_prompt
from core.envelope import Envelope, Status, stop_of
from core.errors import DispatchError, UsageError
from core.events import AttemptStarted, Finished, Notice, RunStarted, UsageUpdate
from core.fsutil import GroupCommit, Part, read_json
from core.redact import Redactor


@dataclass
class Options:
    concurrency: int = 8
    agents: int = 2
    """Items on agent backends at once, within `concurrency`."""
    max_cost: float | None = None
    skip_rejected: bool = False
    timeout: float | None = None
    """Per item, as `run --timeout`."""
    cwd: Path | None = None
    """What the specs' input paths are relative to."""
    processes: int | None = 1
    """Worker processes the items are shared between (1: none, this loop runs them); None: as many as pay for
    their start (procs.auto). `dispatch batch` defaults to None; the console and the MCP tool keep 1, their own
    process, where a worker's stderr would land on the screen or the protocol's log."""

    def to_dict(self) -> dict[str, Any]:
        """The options as batch.json records them; cwd made absolute, as a resume may run from anywhere."""
        return {**asdict(self), "cwd": str(self.cwd.resolve()) if self.cwd else None}


@dataclass
class ItemView:
    """One item as a front end shows it, kept current while the batch runs."""

    item: Item
    state: str = "pending"
    """pending, running, finished, skipped or rejected."""
    status: str = ""
    model: str | None = None
    agent: bool = False
    estimate: float = 0.0
    run_id: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    started: float | None = None
    elapsed_s: float = 0.0
    error: str | None = None
    reason: str | None = None
    audit_path: str = ""
    envelope: Envelope | None = None
    findings: list[specs.Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.state == "finished" and self.status == Status.OK

    def outcome(self) -> dict[str, Any]:
        """The item as a front end reports it: its run's envelope (or why it did not run) and where it came from."""
        envelope = self.envelope or Envelope(
            run_id=self.run_id,
            slug=self.item.slug or "",
            model=self.model,
            status=Status(self.status or Status.REJECTED),
            error=self.error,
            reason=self.reason,
            findings=[f.to_dict() for f in self.findings],
        )
        return {**envelope.to_dict(), "batch_item": self.item.index, "source": self.item.source}


@dataclass
class Totals:
    total: int = 0
    done: int = 0
    ok: int = 0
    failed: int = 0
    interrupted: int = 0
    """Finished items a signal, a cancel or a closed output stopped: counted apart, as they did not fail."""
    skipped: int = 0
    rejected: int = 0
    running: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    elapsed_s: float = 0.0
    ran: int = 0
    """Items this process finished (the rate counts these, not those a resumed batch found done)."""

    @property
    def rate(self) -> float:
        """Items finished a second by this process."""
        return self.ran / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def eta_s(self) -> float | None:
        left = self.total - self.done - self.skipped - self.rejected
        return left / self.rate if self.rate > 0 else None

    def line(self) -> str:
        """The progress line: done/total, ok/failed/interrupted, tokens, cost, rate, ETA."""
        eta = self.eta_s
        until = f", ETA {int(eta) // 60}m{int(eta) % 60:02d}s" if eta is not None and self.running else ""
        interrupted = f"{self.interrupted} interrupted, " if self.interrupted else ""
        return (
            f"batch: {self.done + self.skipped + self.rejected}/{self.total} done ({self.ok} ok, {self.failed} "
            f"failed, {interrupted}{self.skipped} skipped, {self.running} running), "
            f"{self.input_tokens}+{self.output_tokens} tokens, {money(self.cost_usd)}, {self.rate * 60:.0f}/min{until}"
        )


class Batch:
    def __init__(
        self,
        config: Config,
        views: list[ItemView],
        options: Options,
        *,
        executor: Executor | None = None,
        trail: BatchTrail | None = None,
    ) -> None:
        self.config = config
        self.views = views
        self.options = options
        self.trail = trail
        self.limiter = Limiter()
        self.index = BatchedIndexWriter()
        self.executor = executor
        """Where items run; when none is given, `run` picks one for the items it has (see `default_executor`)."""
        self.ledger = budgets.Ledger()
        self.stopping: str | None = None
        """Why no more items start: "budget" or "interrupted"."""
        self.stop_why = ""
        self.notices: list[str] = []
        self._running: set[asyncio.Task[None]] = set()
        self._committer: Committer[ItemView] | None = None
        """Items finished go here; each is reported once the group commit after it has made its files durable."""
        self._ran = 0
        self._began = time.monotonic()
        self._on_item: Callable[[ItemView], None] = lambda view: None
        self._on_change: Callable[[ItemView], None] = lambda view: None
        self._on_notice: Callable[[str], None] = lambda message: None

    # -- planning ----------------------------------------------------------------------------------

    @classmethod
    def plan(
        cls,
        config: Config,
        items: list[Item],
        options: Options,
        *,
        executor: Executor | None = None,
        on_checked: Callable[[int, int], None] | None = None,
    ) -> Batch:
        """Check every item before anything is sent; those that cannot run are in `rejected`. `on_checked` hears
        (items checked, items) after each one, for progress: a big manifest takes minutes to check."""
        manifest.assign_slugs(items)
        batch = cls(config, [ItemView(item) for item in items], options, executor=executor)
        checker = Engine(config)
        usable: dict[str, str | None] = {}
        linted: LintMemo = {}
        for checked, view in enumerate(batch.views, 1):
            batch._plan_item(checker, view, usable, linted)
            if on_checked is not None:
                on_checked(checked, len(batch.views))
        batch.ledger = budgets.Ledger.for_batch(
            config, options.max_cost, {v.item.slug for v in batch.views if v.item.slug}
        )
        return batch

    def _plan_item(self, checker: Engine, view: ItemView, usable: dict[str, str | None], linted: LintMemo) -> None:
        item = view.item
        if item.problem:
            return self._reject(view, item.problem)
        request = self.request(item)
        view.findings = checker.check(request, linted)
        if specs.has_errors(view.findings):
            first = next(f for f in view.findings if f.severity == specs.Severity.ERROR)
            return self._reject(view, f"the spec has checklist errors: {first.one_line(item.source)}")
        parsed = specs.parse(item.text)
        try:
            route = tiers.resolve(
                self.config,
                model=item.model,
                tier=item.tier,
                task_type=item.task_type,
                spec_tier=parsed.tier,
                spec_task_type=parsed.task_type,
            )
            model = self.config.model(route.models[0])
            if model.name not in usable:
                usable[model.name] = _unavailable(self.config, route.models)
        except DispatchError as exc:
            return self._reject(view, exc.one_line())
        if usable[model.name]:
            return self._reject(view, usable[model.name] or "")
        view.model = model.name
        view.agent = backend_class(model).edits_files
        view.estimate = budgets.estimate_cost(model, compose_prompt(item.spec_text, item.prompt))

    def _reject(self, view: ItemView, why: str) -> None:
        view.state, view.status, view.error, view.reason = "rejected", Status.REJECTED, why, "rejected"

    @property
    def rejected(self) -> list[ItemView]:
        return [view for view in self.views if view.state == "rejected"]

    def request(self, item: Item, findings: list[specs.Finding] | None = None) -> DispatchRequest:
        """The item's dispatch; `findings` are its checklist's, from planning (the engine does not lint it again)."""
        extras = {"batch_id": self.trail.batch_id, "batch_item": item.index} if self.trail else {}
        return DispatchRequest(
            spec_text=item.spec_text,
            prompt=item.prompt,
            slug=item.slug,
            model=item.model,
            tier=item.tier,
            task_type=item.task_type,
            cwd=self.options.cwd,
            timeout=self.options.timeout,
            extras=extras,
            findings=findings,
        )

    # -- resume ------------------------------------------------------------------------------------

    @classmethod
    def resume(
        cls,
        config: Config,
        batch_id: str,
        options: Options,
        *,
        executor: Executor | None = None,
        on_checked: Callable[[int, int], None] | None = None,
    ) -> Batch:
        """The batch on record, with its finished-ok items kept and everything else planned to run again."""
        trail = BatchTrail.open(batch_id)
        recorded, items = trail.options(), trail.items()  # refused before the lock, which a server would keep held
        if options.max_cost is None:
            options.max_cost = recorded.max_cost
        options.skip_rejected = options.skip_rejected or recorded.skip_rejected
        if options.cwd is None and recorded.cwd is not None:
            options.cwd = Path(recorded.cwd)
            if not options.cwd.is_dir():
                raise UsageError(
                    f"batch {batch_id} ran with --cwd {recorded.cwd}, which is no longer a directory",
                    "pass --cwd the directory its specs' input paths are relative to",
                )
        trail.acquire()
        records, _ = trail.records()
        batch = cls.plan(config, items, options, executor=executor, on_checked=on_checked)
        batch.trail = trail
        for view in batch.views:
            record = records.get(view.item.index)
            if record is None:
                continue
            finished = None
            if record.state == "started" and record.run_id and view.item.slug:
                finished = _finished_meanwhile(view.item.slug, record)
                record = finished or record
            batch.ledger.spent += record.cost_usd or 0.0
            if record.done_ok:
                view.state, view.status, view.run_id, view.model = "finished", Status.OK, record.run_id, record.model
                view.cost_usd, view.input_tokens, view.output_tokens = (
                    record.cost_usd,
                    record.input_tokens,
                    record.output_tokens,
                )
                view.audit_path = record.audit_path
                if finished:
                    trail.write(finished)
        return batch

    # -- running -----------------------------------------------------------------------------------

    def start(self) -> BatchTrail:
        """Record the batch (manifest and options) before its first item is sent; rejected items go on record."""
        if self.trail is None:
            self.trail = BatchTrail.create(
                [v.item for v in self.views], self.options.to_dict(), Redactor.for_config(self.config)
            )
            for view in self.rejected:
                self.trail.write(_record_of(view))
        return self.trail

    def cancel(self, reason: str = "signal") -> None:
        """Stop launching and interrupt what is in flight; the runs are recorded interrupted, with the reason
        (core/envelope.py STOPS): `signal` for SIGINT/SIGTERM, `cancelled` when a person or a client asked,
        `output_closed` when whoever read the batch's output went away."""
        self.stopping, self.stop_why = "interrupted", "interrupted"
        for task in list(self._running):
            task.cancel(reason)

    async def _watch_for_cancel(self, trail: BatchTrail) -> None:
        """Stop as on SIGINT once another process asks (`dispatch batch --cancel`, the console's Batch screen)."""
        while not trail.cancel_requested():  # one stat a quarter second
            await asyncio.sleep(CANCEL_POLL_S)
        self._notice("cancel requested from elsewhere: stopping, and interrupting what is in flight")
        self.cancel("cancelled")

    def totals(self) -> Totals:
        totals = Totals(total=len(self.views), elapsed_s=time.monotonic() - self._began)
        for view in self.views:
            totals.done += view.state == "finished"
            totals.ok += view.ok
            interrupted = view.state == "finished" and view.status == Status.INTERRUPTED
            totals.interrupted += interrupted
            totals.failed += view.state == "finished" and not view.ok and not interrupted
            totals.skipped += view.state == "skipped"
            totals.rejected += view.state == "rejected"
            totals.running += view.state == "running"
            totals.input_tokens += view.input_tokens
            totals.output_tokens += view.output_tokens
            totals.cost_usd += view.cost_usd or 0.0
        totals.ran = self._ran
        return totals

    async def run(
        self,
        on_item: Callable[[ItemView], None] | None = None,
        on_change: Callable[[ItemView], None] | None = None,
        on_notice: Callable[[str], None] | None = None,
    ) -> dict[str, Any]:
        """Run every pending item; `on_item` hears each one that ends (finished, skipped, rejected),
        `on_change` every change (for live tables). Returns the summary."""
        trail = self.start()
        self._on_item = on_item or self._on_item
        self._on_change = on_change or self._on_change
        self._on_notice = on_notice or self._on_notice
        self._began = time.monotonic()
        for view in self.rejected:
            self._on_item(view)
        slots = asyncio.Semaphore(self.options.concurrency)
        agents = asyncio.Semaphore(self.options.agents)
        chains: dict[str, list[ItemView]] = {}
        for view in self.views:
            if view.state == "pending":
                chains.setdefault(view.item.slug or "", []).append(view)
        executor = self.executor = self.executor or self.default_executor(sum(map(len, chains.values())))
        try:
            with GroupCommit() as commit:
                self._committer = Committer(self.index, commit, self._ended, self._notice)
                async with http_pool.Pool().current(), executor.running():
                    committing = asyncio.create_task(self._committer.loop())
                    watching = asyncio.create_task(self._watch_for_cancel(trail))
                    try:
                        await asyncio.gather(
                            *(self._chain(executor, views, slots, agents) for views in chains.values())
                        )
                    finally:
                        committing.cancel()
                        watching.cancel()
                        await asyncio.wait([committing, watching])
                        await self._committer.commit()
        except asyncio.CancelledError:
            self.stopping = "interrupted"  # the task running the batch was cancelled (the console closing)
            raise
        finally:
            if warning := self.index.close():
                self._notice(warning)
            trail.close("interrupted" if self.stopping == "interrupted" else "finished", self.summary())
        return self.summary()

    def default_executor(self, items: int) -> Executor:
        """This process's event loop, or worker processes when `items` are enough to pay for starting them."""
        processes = procs.for_items(self.options.processes, items)
        if processes > 1:
            return procs.ProcessExecutor(self.config, self.limiter, processes, self._notice)
        return LocalExecutor(Engine(self.config, index=self.index, limiter=self.limiter, check_budgets=False))

    def summary(self) -> dict[str, Any]:
        totals = self.totals()
        return {
            "type": "summary",
            "batch_id": self.trail.batch_id if self.trail else "",
            "total": totals.total,
            "ok": totals.ok,
            "failed": totals.failed,
            "interrupted": totals.interrupted,
            "skipped": totals.skipped,
            "rejected": totals.rejected,
            "not_started": totals.total - totals.done - totals.skipped - totals.rejected,
            "input_tokens": totals.input_tokens,
            "output_tokens": totals.output_tokens,
            "cost_usd": round(totals.cost_usd, 8),
            "duration_ms": int(totals.elapsed_s * 1000),
            "stopped": self.stopping,
            "trail": str(self.trail.root) if self.trail else "",
        }

    async def _chain(
        self, executor: Executor, views: list[ItemView], slots: asyncio.Semaphore, agents: asyncio.Semaphore
    ) -> None:
        """One project's items, one after another, each taking its slots when its turn comes."""
        for view in views:
            async with agents if view.agent else contextlib.nullcontext(), slots:
                if not self._admit(view):
                    continue
                assert self._committer is not None, "items run only while the batch runs"
                with self._committer.part() as part:  # the task's own context keeps it
                    task = asyncio.create_task(self._execute(executor, view, part))
                self._running.add(task)
                try:
                    await task
                except asyncio.CancelledError:
                    if self.stopping != "interrupted":
                        raise
                finally:
                    self._running.discard(task)

    def _admit(self, view: ItemView) -> bool:
        if self.stopping == "interrupted":
            return False
        if self.stopping is None:
            why = self.ledger.refusal(view.item.slug or "", view.estimate)
            if why is None:
                return True
            if not why.startswith("estimated"):  # the batch, day or project cap: nothing more starts
                self.stopping, self.stop_why = "budget", why
                self._notice(f"budget reached, launching no more items: {why}")
            self._skip(view, why)
            return False
        self._skip(view, self.stop_why)
        return False

    def _skip(self, view: ItemView, why: str) -> None:
        view.state, view.status, view.reason, view.error = "skipped", Status.SKIPPED, "budget", why
        view.envelope = Envelope(
            run_id="",
            slug=view.item.slug or "",
            model=view.model,
            status=Status.SKIPPED,
            reason="budget",
            error=why,
            extras=self.request(view.item).extras,
        )
        self._ended(view)

    async def _execute(self, executor: Executor, view: ItemView, part: Part) -> None:
        item = view.item
        self.ledger.start(item.index, item.slug or "", view.estimate)
        view.state, view.started = "running", time.monotonic()
        self._on_change(view)
        envelope: Envelope | None = None
        try:
            async for event in executor.run(self.request(item, view.findings)):
                if isinstance(event, RunStarted):
                    view.run_id, view.model, view.audit_path = event.run_id, event.model, event.audit_path
                    self.start().write(_record_of(view))
                    self._on_change(view)
                elif isinstance(event, AttemptStarted):
                    view.model = event.model
                elif isinstance(event, UsageUpdate):
                    view.input_tokens, view.output_tokens = event.input_tokens, event.output_tokens
                    self._on_change(view)
                elif isinstance(event, Notice):
                    self._notice(event.message)
                elif isinstance(event, Finished):
                    envelope = event.envelope
        except asyncio.CancelledError as exc:
            stopped, reason = stop_of(exc)
            envelope = _recorded(view) or Envelope(
                run_id=view.run_id,
                slug=item.slug or "",
                status=Status.INTERRUPTED,
                error=f"{stopped} before the run started",
                reason=reason,
            )
            raise
        except DispatchError as exc:
            envelope = Envelope(
                run_id="",
                slug=item.slug or "",
                model=view.model,
                status=Status.ERROR,
                error=exc.one_line(),
                reason=exc.reason,
                extras=self.request(item).extras,
            )
        except Exception as exc:  # noqa: BLE001 - one item's bug must not end the other items of the batch
            envelope = _recorded(view) or Envelope(
                run_id=view.run_id,
                slug=item.slug or "",
                model=view.model,
                status=Status.ERROR,
                extras=self.request(item).extras,
            )
            envelope.status, envelope.reason = Status.ERROR, "internal_error"
            envelope.error = f"internal error: {type(exc).__name__}: {exc}"
        finally:
            self.ledger.settle(item.index, envelope.cost_usd if envelope else None)
            self._finish(
                view,
                part,
                envelope
                or Envelope(
                    run_id=view.run_id,
                    slug=item.slug or "",
                    status=Status.ERROR,
                    error="the run ended without an envelope",
                    reason="bad_response",
                ),
            )

    def _finish(self, view: ItemView, part: Part, envelope: Envelope) -> None:
        view.state, view.status, view.envelope = "finished", str(envelope.status), envelope
        view.run_id = envelope.run_id or view.run_id
        view.model = envelope.model or view.model
        view.input_tokens, view.output_tokens = envelope.usage.input_tokens, envelope.usage.output_tokens
        view.cost_usd, view.error, view.reason = envelope.cost_usd, envelope.error, envelope.reason
        view.audit_path = envelope.audit_path or view.audit_path
        view.elapsed_s = time.monotonic() - (view.started or time.monotonic())
        self._ran += 1
        assert self._committer is not None, "an item finishes only while the batch runs"
        self._committer.add(view, part)

    def _ended(self, view: ItemView) -> None:
        if self.trail is not None:
            self.trail.write(_record_of(view))
        self._on_change(view)
        self._on_item(view)

    def _notice(self, message: str) -> None:
        if message not in self.notices:
            self.notices.append(message)
            self._on_notice(message)


def _unavailable(config: Config, models: list[str]) -> str | None:
    """Why no model of a route can run on this machine (a binary or package missing), else None."""
    failures = []
    for name in models:
        try:
            backend_for(config.model(name)).preflight()
            return None
        except DispatchError as exc:
            failures.append(exc.one_line())
    return failures[0] if failures else None


def _record_of(view: ItemView) -> ItemRecord:
    state = "started" if view.state == "running" else view.state
    return ItemRecord(
        item=view.item.index,
        state=state,
        status=str(view.status),
        run_id=view.run_id,
        slug=view.item.slug or "",
        model=view.model,
        reason=view.reason,
        error=view.error,
        cost_usd=view.cost_usd,
        input_tokens=view.input_tokens,
        output_tokens=view.output_tokens,
        duration_ms=int(view.elapsed_s * 1000),
        audit_path=view.audit_path,
    )


def _recorded(view: ItemView) -> Envelope | None:
    """The envelope the engine wrote to the run's file (an interrupted run is recorded there)."""
    if not view.audit_path:
        return None
    try:
        return Envelope.from_dict(read_json(Path(view.audit_path)))
    except (OSError, ValueError, TypeError):
        return None


def _finished_meanwhile(slug: str, record: ItemRecord) -> ItemRecord | None:
    """An item the trail has as started whose run did finish (the batch died before saying so)."""
    try:
        data = Project.at(slug).read_run(record.run_id)
    except (OSError, ValueError, DispatchError):
        return None
    if data.get("status") != Status.OK:
        return None
    usage = data.get("usage") or {}
    return ItemRecord(
        item=record.item,
        state="finished",
        status="ok",
        run_id=record.run_id,
        slug=slug,
        model=data.get("model"),
        cost_usd=data.get("cost_usd"),
        input_tokens=int(usage.get("input_tokens") or 0),
        output_tokens=int(usage.get("output_tokens") or 0),
        duration_ms=int(data.get("duration_ms") or 0),
        audit_path=str(data.get("audit_path") or ""),
    )
