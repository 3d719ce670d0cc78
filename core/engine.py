"""The one engine both front doors drive: check the spec, route it, run it with retries and
fallback, and record every step in the audit trail, as an async iterator of typed events.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import aclosing
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core import contract as output_contract
from core import inputs as input_files
from core import spec as specs
from core import tiers
from core.audit import refusals
from core.audit.index_writer import RunIndex, RunIndexer, recover
from core.audit.store import Project, new_run_id, slug_from, validate_slug
from core.backends import backend_class, backend_for
from core.backends.base import Backend, BackendRequest, ModelRejected, TransientError
from core.batch import budgets
from core.checklist.target import target_of
from core.config import Config, ModelConfig, user_models
from core.envelope import STOPS, Envelope, Status, Usage, stop_of
from core.errors import BackendUnavailable, DispatchError, SpecRejected
from core.events import (
    AttemptFailed,
    AttemptStarted,
    BackendDone,
    Event,
    Finished,
    Notice,
    RunStarted,
    SessionStarted,
    TextDelta,
    UsageUpdate,
    sound_text,
)
from core.fsutil import JsonLines
from core.offload import in_thread
from core.redact import Redactor, StreamRedactor
from core.retry import RetryPolicy
from core.run_record import RunRecord

if TYPE_CHECKING:
    from core import workspace
    from core.batch.limits import Limiter
    from core.worktree import Worktree

SYSTEM_PROMPT = (
    "You are a specialist receiving a self-contained task spec. Work only from what the spec gives you; "
    "you have no other context. Follow its Output contract exactly. If something you need is missing, "
    "say precisely what is missing instead of guessing."
)

STOP_SLACK = 10.0
"""Seconds the engine's timeout waits past --timeout for a backend that stops itself (and its children)."""


@dataclass
class DispatchRequest:
    spec_text: str
    prompt: str | None = None
    slug: str | None = None
    description: str | None = None
    model: str | None = None
    tier: str | None = None
    task_type: str | None = None
    cwd: Path | None = None
    timeout: float | None = None
    force: bool = False
    kind: str = "run"
    """run, resume, review or escalation."""
    history: list[dict[str, Any]] = field(default_factory=list)
    session_id: str | None = None
    parent_run_id: str | None = None
    permission: str | None = None
    read_only: bool = False
    wait: float = 0.0
    stall_timeout: float = 300.0
    lint: bool = True
    findings: list[specs.Finding] | None = None
    """The checklist's findings when the caller has linted this very request already (a batch, as it plans), so
    they are not worked out twice."""
    verify: str | None = None
    """A command to check the result with (else the spec's Verification section may name one)."""
    extras: dict[str, Any] = field(default_factory=dict)
    mode: str = "chat"
    """chat, or web: route to a model that can browse and run the web research loop."""
    max_steps: int | None = None
    max_fetches: int | None = None
    token_budget: int | None = None
    fallback: list[str] = field(default_factory=list)
    """Models to try, in order, after the chosen one fails (a review's other candidate reviewers)."""
    inline_inputs: bool = True
    """Send a stateless model the files the spec's Inputs section names (core/inputs.py); --no-inputs turns it off."""
    in_place: bool = False
    """An agent works in --cwd itself instead of a git worktree of it (core/workspace.py)."""
    base: str | None = None
    """The commit an agent's worktree branches from (default HEAD)."""
    sole_run: bool = False
    """The process runs only this and stops it on SIGTERM (the CLI), so a cancel from elsewhere may signal it."""
    contract: bool = True
    """Check the answer against the spec's Output contract (core/contract); --no-contract turns it off."""
    contract_retries: int | None = None
    """How often a contract failure is re-asked in the same session (None: the config's default)."""
    contract_spec: str | None = None
    """The spec whose Output contract the answer keeps, when not the one sent (a resume continues its parent's task)."""


LintMemo = dict[tuple[str, str, Path | None], list[specs.Finding]]
"""Findings by (spec text, reader, cwd): see `Engine.check`."""


def spec_of(request: DispatchRequest) -> str:
    """The text that is checked and recorded as the spec: --spec's, else --prompt's when it stands alone."""
    return request.spec_text if request.spec_text.strip() else (request.prompt or "")


def compose_prompt(spec_text: str, prompt: str | None) -> str:
    if spec_text.strip() and prompt:
        return f"{spec_text.rstrip()}\n\n## Additional instructions\n{prompt}"
    return spec_text if spec_text.strip() else (prompt or "")


class Engine:
    """Runs dispatches. A batch shares one engine between its items and hands it what they share: the index
    writer, the rate limiter, and (having its own ledger) `check_budgets=False`."""

    def __init__(
        self,
        config: Config,
        retry: RetryPolicy | None = None,
        *,
        index: RunIndexer | None = None,
        limiter: Limiter | None = None,
        check_budgets: bool = True,
    ) -> None:
        self.config = config
        self.retry = retry or RetryPolicy()
        self.index = index or RunIndex()
        """Where runs are recorded: by default one index writer kept for the engine's life."""
        self.limiter = limiter
        self.check_budgets = check_budgets
        self.redactor = Redactor.for_config(config)

    def check(self, request: DispatchRequest, memo: LintMemo | None = None) -> list[specs.Finding]:
        """The request's checklist findings; `memo` lets a caller checking many requests (a batch's plan) lint
        each distinct (text, reader, cwd) once, since a lint costs milliseconds and a template repeats texts."""
        if not request.lint:
            return []
        text = spec_of(request)
        reader = target_of(
            self.config, text, model=request.model, tier=request.tier, task_type=request.task_type, mode=request.mode
        )
        key = (text, reader, request.cwd)
        if memo is not None and key in memo:
            return list(memo[key])
        findings = specs.lint(
            text,
            cwd=request.cwd,
            known_task_types=set(tiers.TASK_TYPES),
            known_tiers=set(tiers.effective_tiers(self.config)),
            target=reader,
        )
        if memo is not None:
            memo[key] = findings
        return list(findings)

    async def dispatch(self, request: DispatchRequest) -> AsyncGenerator[Event, None]:
        """Run one dispatch to its end. Raises DispatchError only before anything is recorded."""
        engine = self
        if request.mode == "web":
            from core.web import mode as web_mode

            engine = Engine(web_mode.view(self.config, request.model), self.retry, index=self.index)
        # aclosing all the way down: a reader that stops early (a closed pipe) closes each stage, so the run is
        # recorded as interrupted instead of being left "running".
        async with aclosing(engine._dispatch(request)) as events:
            async for event in events:
                yield event

    async def _dispatch(self, request: DispatchRequest) -> AsyncGenerator[Event, None]:
        started = time.monotonic()
        text = spec_of(request)
        findings = self.check(request) if request.findings is None else list(request.findings)
        parsed = specs.parse(text)
        if specs.has_errors(findings) and not request.force:
            yield Finished(
                self._rejected(
                    request, text, parsed, findings, "the spec has checklist errors; fix them or pass --force"
                )
            )
            return
        try:
            route = tiers.resolve(
                self.config,
                model=request.model,
                tier=request.tier,
                task_type=request.task_type,
                spec_tier=parsed.tier,
                spec_task_type=parsed.task_type,
            )
        except SpecRejected as exc:
            yield Finished(self._rejected(request, text, parsed, findings, exc.one_line()))
            return
        route.models += [name for name in request.fallback if name not in route.models and name in self.config.models]
        self._preflight(route)
        first_model = self.config.model(route.models[0])
        first_kind = backend_class(first_model)
        inputs = self._inputs(request, first_kind, text)
        if inputs is not None and (refusal := self._refuse_inputs(request, first_model, inputs, findings)):
            yield Finished(self._rejected(request, text, parsed, findings, refusal))
            return
        slug = validate_slug(request.slug) if request.slug else slug_from(self.redactor.text(specs.goal_of(text)))
        project = Project.at(slug)
        if self.check_budgets:
            budgets.check_run(self.config, first_model, compose_prompt(request.spec_text, request.prompt), slug)
        space = None
        if first_kind.edits_files:
            from core import workspace  # git worktrees and agent files: only agent runs load them

            space = workspace.plan(
                project,
                cwd=request.cwd,
                kind=request.kind,
                parent_run_id=request.parent_run_id,
                read_only=request.read_only,
                in_place=request.in_place,
                base=request.base,
                spec_text=text,
            )
        lock = project.lock()

        def take() -> tuple[list[str], bool]:
            """Recover what a crash left, then one try at the lock: the usual free project costs one thread hand-off
            for both (a cancel meanwhile still waits for it, and the finally below lets go of what it took). A busy
            one is tried again, refused or waited for, by acquire_async."""
            return recover(project, self.index), lock.try_acquire()

        try:
            messages, taken = await in_thread(take)
            for message in messages:
                yield Notice(message, "warning")
            if not taken:
                await lock.acquire_async(wait=request.wait)
            description = self.redactor.text(request.description) if request.description else None
            first_goal = self.redactor.text(specs.goal_of(text)[:200])
            run_id = new_run_id()

            def prepare() -> None:
                project.ensure(description, first_model.backend, first_goal)
                lock.describe(run_id, sole_run=request.sole_run)
                if space is not None:
                    space.open(project, run_id)

            async with aclosing(
                self._run(request, route, project, run_id, findings, text, started, inputs, space, prepare)
            ) as events:
                async for event in events:
                    yield event
        finally:
            lock.release()

    def _inputs(self, request: DispatchRequest, kind: type[Backend], text: str) -> input_files.Inputs | None:
        """The spec's input files for a stateless model; None for an agent (it opens files itself) or --no-inputs.
        A resumed session is not sent again what its history already holds."""
        if not request.inline_inputs or kind.edits_files:
            return None
        sent = "".join(str(m.get("content") or "") for m in request.history)
        return input_files.gather(text, request.cwd or Path.cwd(), self.redactor, sent)

    def _refuse_inputs(
        self, request: DispatchRequest, model: ModelConfig, inputs: input_files.Inputs, findings: list[specs.Finding]
    ) -> str | None:
        """Why the inputs cannot be sent (a refused file, unless --force; a prompt over the context, always)."""
        findings.extend(inputs.findings)
        if specs.has_errors(inputs.findings) and not request.force:
            return (
                f"input not sent: {len(inputs.findings)} of the files the Inputs section names may not be sent "
                "(see the findings); fix them, or pass --force to send the others"
            )
        window = model.context_window or backend_class(model).default_context_window
        if window is None:
            return None
        before = "\n".join(
            [
                SYSTEM_PROMPT,
                *(str(m.get("content") or "") for m in request.history),
                compose_prompt(request.spec_text, request.prompt),
            ]
        )
        return inputs.over_window(before, model, window, model.max_tokens or input_files.ANSWER_RESERVE)

    def _preflight(self, route: tiers.Route) -> None:
        """Fail before anything is recorded when no model of the route can run on this machine at all."""
        failures: list[BackendUnavailable] = []
        for name in route.models:
            try:
                backend_for(self.config.model(name)).preflight()
                return
            except BackendUnavailable as exc:
                failures.append(exc)
        raise failures[0]

    def _rejected(
        self, request: DispatchRequest, text: str, parsed: specs.Spec, findings: list[specs.Finding], error: str
    ) -> Envelope:
        """The refusal's envelope; the refusal is also kept (core/audit/refusals.py) for the console's inbox."""
        refusals.record(
            request.slug or slug_from(specs.goal_of(text)), request.task_type or parsed.task_type, request.kind, error
        )
        return Envelope(
            run_id="",
            slug=request.slug or "",
            status=Status.REJECTED,
            task_type=request.task_type,
            findings=[f.to_dict() for f in findings],
            error=error,
            reason="rejected",
            kind=request.kind,
        )

    async def _run(
        self,
        request: DispatchRequest,
        route: tiers.Route,
        project: Project,
        run_id: str,
        findings: list[specs.Finding],
        text: str,
        started: float,
        inputs: input_files.Inputs | None,
        space: workspace.Workspace | None,
        prepare: Callable[[], None],
    ) -> AsyncGenerator[Event, None]:
        """The run itself, the project's lock held; `prepare` (project.json, the lock's note, an agent's workspace)
        runs first, in the thread hand-off that opens the event log and writes the running record."""
        first = self.config.model(route.models[0])
        run = self._record(request, route, project, run_id, findings, text)
        envelope = run.envelope
        # What is sent is masked like what is kept: a model, its server's log or an agent's own files never get a key
        # that a spec or prompt carried (the input files are masked as they are read).
        prompt = self.redactor.text(compose_prompt(request.spec_text, request.prompt))
        if inputs is not None:
            prompt = inputs.compose(prompt)
            envelope.extras.update(inputs=inputs.summary(), inputs_masked=inputs.masked)
            if inputs.files:
                run.prompt = prompt
        agent_dir = project.root
        events: JsonLines | None = None
        timeout = self._timeout(request, first)

        stream = self.redactor.stream()
        answer = Answer(self.config.defaults.max_answer_chars)

        def begin() -> str | None:
            """prepare(), which makes an agent's worktree, then what names it: the first record says where the agent
            works, so a crash leaves its worktree on record."""
            nonlocal events, agent_dir
            prepare()
            if space is not None:
                agent_dir = space.path
                envelope.extras["workdir"] = {"mode": space.mode, "path": str(space.path)}
                if space.worktree is not None:
                    envelope.extras["worktree"] = space.worktree.to_dict()
            events = JsonLines(project.events_path(run_id))
            return self.index(project.slug, [run.save(project)])

        def emit(event: Event) -> Event:
            event = self._redacted(event)
            assert events is not None  # begin() opened it before the first event
            events.write(_stamped(event.to_dict(), started), flush=not isinstance(event, TextDelta))
            return event

        try:
            unindexed = await in_thread(begin)
            yield emit(
                RunStarted(
                    run_id, project.slug, first.backend, first.name, route.tier, route.task_type, envelope.audit_path
                )
            )
            if first.builtin and not user_models(self.config):
                yield emit(
                    Notice(
                        f"no model is configured, so this runs on the built-in {first.name} model (a small "
                        "model on this CPU); set DISPATCH_BASE_URL or run `dispatch config init` to use yours"
                    )
                )
            if unindexed:
                yield emit(Notice(unindexed, "warning"))
            if run.forced:
                yield emit(Notice("dispatching despite checklist errors (--force); this is recorded", "warning"))
            for notice in _workspace_notices(inputs, space, request.cwd is None):
                yield emit(notice)
            async with aclosing(self._ask(request, route, agent_dir, prompt, run, answer, stream, started)) as asked:
                async for event in asked:
                    yield emit(event)
            if request.contract and request.kind != "review":
                checked_run = self._contract(request, route, agent_dir, project, run, stream, started, text)
                async with aclosing(checked_run) as checked:
                    async for event in checked:
                        yield emit(event)
            if space is not None and not request.read_only:
                yield emit(await self._capture(space, project, envelope))
            if request.kind == "review" and envelope.status == Status.OK:
                from core import review  # only a review reads a verdict

                envelope.extras.update(review.verdict_of(envelope.result))
            else:
                async for event in self._verify(request, agent_dir, project, run, text, timeout):
                    yield emit(event)
                if (
                    space is not None
                    and space.worktree is not None
                    and "exit_code" in envelope.extras.get("verify", {})
                ):
                    for notice in await asyncio.to_thread(_left_by_verify, space.worktree, envelope):
                        yield emit(notice)
                envelope.duration_ms = int((time.monotonic() - started) * 1000)
        except (asyncio.CancelledError, KeyboardInterrupt, GeneratorExit) as exc:
            if events is None:
                raise  # a KeyboardInterrupt before begin() ended (a cancel waits for it): recovery marks the record
            if held := stream.flush():
                events.write(_stamped(TextDelta(held).to_dict(), started))
            envelope.result = answer.text()
            why = (STOPS["output_closed"], "output_closed") if isinstance(exc, GeneratorExit) else stop_of(exc)
            self._finish(run, BackendDone(status=Status.INTERRUPTED, error=why[0], reason=why[1]), started)
            if isinstance(exc, asyncio.CancelledError):  # the loop still runs: write off it (the console draws on)
                closing = events
                await in_thread(lambda: self._close(project, closing, run, started))
            else:
                self._close(project, events, run, started)
            raise
        opened = events
        assert opened is not None
        if unindexed := await in_thread(lambda: self._close(project, opened, run, started)):
            yield Notice(unindexed, "warning")
        yield Finished(envelope)

    async def _ask(
        self,
        request: DispatchRequest,
        route: tiers.Route,
        agent_dir: Path,
        prompt: str,
        run: RunRecord,
        answer: Answer,
        stream: StreamRedactor,
        started: float,
    ) -> AsyncGenerator[Event, None]:
        """One question to the route's models under the run's timeout: yields the answer's text as the stream
        redactor lets it out and the other events, then folds the answer and the last BackendDone (a timeout's own
        when the time ran out) into the run's envelope."""
        first = self.config.model(route.models[0])
        timeout = self._timeout(request, first)
        done: BackendDone | None = None
        try:
            async with asyncio.timeout(timeout + (STOP_SLACK if backend_class(first).enforces_timeout else 0)):
                async with aclosing(self._attempts(request, route, agent_dir, prompt, run, answer)) as attempts:
                    async for event in attempts:
                        if isinstance(event, BackendDone):
                            done = event
                        elif isinstance(event, TextDelta):
                            if shown := stream.feed(event.text):
                                yield TextDelta(shown)
                        else:
                            yield event
        except TimeoutError:
            done = BackendDone(
                status=Status.TIMEOUT, error=f"no result within the {timeout:g} s timeout", reason="timeout"
            )
        if held := stream.flush():
            yield TextDelta(held)
        run.envelope.result = answer.text()
        self._finish(run, done, started)

    async def _contract(
        self,
        request: DispatchRequest,
        route: tiers.Route,
        agent_dir: Path,
        project: Project,
        run: RunRecord,
        stream: StreamRedactor,
        started: float,
        text: str,
    ) -> AsyncGenerator[Event, None]:
        """Check an ok answer against its Output contract; re-ask the same session up to --contract-retries times
        with the failed checks listed, and end the run contract_violation if the last answer still breaks it."""
        envelope = run.envelope
        body = specs.parse(request.contract_spec or text).get("output")
        if envelope.status != Status.OK or not body:
            return
        agent = backend_class(self.config.model(envelope.model or "")).edits_files
        checks: output_contract.Contract | None = None

        def judge() -> output_contract.Report:
            """The answer against its checks, derived on the first call, so that deriving and the first check share
            one thread hand-off (each costs a batch item CPU); a schema file is read, a diff applied, off the loop."""
            nonlocal checks
            if checks is None:
                checks = output_contract.derive(body, cwd=(request.cwd or Path.cwd()).resolve(), agent=agent)
            return output_contract.evaluate(checks, envelope.result)

        retries = (
            self.config.defaults.contract_retries if request.contract_retries is None else request.contract_retries
        )
        tries: list[dict[str, Any]] = []
        for number in range(retries + 1):
            report = await in_thread(judge)
            envelope.extras["contract"] = self.redactor.data(
                {**report.to_dict(), "attempts": number + 1, **({"earlier": tries} if tries else {})}
            )
            if report.passed is not False:
                if number:
                    yield Notice(f"the answer meets its Output contract after {number} re-ask{'s' * (number > 1)}")
                return
            if number == retries:
                break
            yield Notice(
                f"the answer breaks its Output contract: {report.summary()}; asking again ({number + 1} of {retries})",
                "warning",
            )
            tries.append({"result": envelope.result, "failed": report.failed})
            await in_thread(lambda: run.checkpoint(project))
            async with aclosing(self._reask(request, route, agent_dir, run, stream, started, report.reask())) as asked:
                async for event in asked:
                    yield event
            if envelope.status != Status.OK:
                envelope.extras["contract"] = self.redactor.data({**envelope.extras["contract"], "earlier": tries})
                return
        envelope.status, envelope.reason = Status.ERROR, "contract_violation"
        envelope.error = self.redactor.text(f"the answer breaks its Output contract: {report.summary()}")
        yield Notice(envelope.error, "error")

    async def _reask(
        self,
        request: DispatchRequest,
        route: tiers.Route,
        agent_dir: Path,
        run: RunRecord,
        stream: StreamRedactor,
        started: float,
        message: str,
    ) -> AsyncGenerator[Event, None]:
        """Ask the model that answered again, in the same session (a chat's history, an agent's resumed session);
        the run's usage, cost and turns add up over both questions."""
        envelope = run.envelope
        spent, cost, turns = envelope.usage, envelope.cost_usd, envelope.num_turns
        again = replace(request, history=run.messages or [], session_id=envelope.session_id)
        answer = Answer(self.config.defaults.max_answer_chars)
        model = replace(route, models=[envelope.model or route.models[0]])
        async with aclosing(self._ask(again, model, agent_dir, message, run, answer, stream, started)) as asked:
            async for event in asked:
                yield event
        envelope.usage = spent + envelope.usage
        envelope.num_turns += turns
        if cost is not None or envelope.cost_usd is not None:
            envelope.cost_usd = (cost or 0.0) + (envelope.cost_usd or 0.0)

    def _record(
        self,
        request: DispatchRequest,
        route: tiers.Route,
        project: Project,
        run_id: str,
        findings: list[specs.Finding],
        text: str,
    ) -> RunRecord:
        """The new run's state, as it is first written (status running)."""
        first = self.config.model(route.models[0])
        envelope = Envelope(
            run_id=run_id,
            slug=project.slug,
            backend=first.backend,
            model=first.name,
            tier=route.tier,
            task_type=route.task_type,
            findings=[f.to_dict() for f in findings],
            audit_path=str(project.result_path(run_id)),
            kind=request.kind,
            session_id=request.session_id,
            extras=dict(request.extras),
        )
        if request.parent_run_id:
            envelope.extras["parent_run_id"] = request.parent_run_id
        return RunRecord(
            envelope,
            self.redactor,
            spec=text,
            route=route.to_dict(),
            forced=request.force and specs.has_errors(findings),
            description=request.description,
        )

    def _timeout(self, request: DispatchRequest, model: ModelConfig) -> float:
        """Seconds a run on `model` may take: --timeout, else the model's, else the config default."""
        return request.timeout or model.timeout or self.config.defaults.timeout

    def _finish(self, run: RunRecord, done: BackendDone | None, started: float) -> None:
        run.finish(done, started, self.config.models.get(run.envelope.model or ""))

    def _close(self, project: Project, events: JsonLines, run: RunRecord, started: float) -> str | None:
        """Write the run's last event, final record, project summary and index row; returns an index warning."""
        events.write(_stamped(self.redactor.data(_finished_line(run.envelope)), started))
        events.close()
        written = run.save(project)
        project.record_finished(run.envelope)
        return self.index(project.slug, [written])

    async def _attempts(
        self, request: DispatchRequest, route: tiers.Route, agent_dir: Path, prompt: str, run: RunRecord, answer: Answer
    ) -> AsyncGenerator[Event, None]:
        """Try each model of the route in order, each up to the policy's attempts; end with one BackendDone.

        A transient failure is retried on the same model, then the next; a model-specific one (the server does not
        know the model, its context is too small) and an unavailable backend move straight on to the next model."""
        envelope = run.envelope
        number = len(envelope.attempts)
        last_error = "no model was tried"
        last_reason = "unavailable"
        for index, name in enumerate(route.models):
            model = self.config.model(name)
            next_model = route.models[index + 1] if index + 1 < len(route.models) else None
            for attempt in range(1, self.retry.attempts_per_model + 1):
                number += 1
                backend = backend_for(model)
                breq = BackendRequest(
                    prompt=prompt,
                    cwd=self._workdir(request, agent_dir, backend.edits_files),
                    timeout=self._timeout(request, model),
                    system=SYSTEM_PROMPT,
                    history=request.history if backend.history_is_session else [],
                    session_id=request.session_id if not backend.history_is_session else None,
                    permission=request.permission or self.config.defaults.permission,
                    read_only=request.read_only,
                    spec_text=self.redactor.text(request.spec_text),
                    stall_timeout=request.stall_timeout,
                    max_steps=request.max_steps,
                    max_fetches=request.max_fetches,
                    token_budget=request.token_budget,
                    redactor=self.redactor,
                )
                run.begin_attempt(model, self._describe_request(backend, breq))
                yield AttemptStarted(number, model.name, model.backend)
                began = time.monotonic()
                outcome: dict[str, Any] = {"number": number, "model": model.name, "backend": model.backend}

                try:
                    async with aclosing(self._limited(backend.run(breq), model, prompt)) as events:
                        async for event in events:
                            if isinstance(event, TextDelta):
                                event = TextDelta(sound_text(event.text))  # noqa: PLW2901 - the one kept
                                if not answer.add(event.text):
                                    run.settle(outcome, began, "error", answer.too_large)
                                    if answer.last:
                                        yield TextDelta(answer.last)
                                    yield BackendDone(status=Status.ERROR, error=answer.too_large, reason="too_large")
                                    return
                            elif isinstance(event, SessionStarted):
                                envelope.session_id = event.session_id
                            elif isinstance(event, UsageUpdate):
                                envelope.usage = Usage(event.input_tokens, event.output_tokens)
                            elif isinstance(event, BackendDone):
                                run.settle(outcome, began, str(event.status), event.error)
                                run.answered(
                                    backend.model.base_url,
                                    _conversation(breq, event.result) if backend.history_is_session else None,
                                )
                            yield event
                    return
                except TransientError as exc:
                    last_error, last_reason = str(exc), exc.reason
                    if exc.rate_limited and self.limiter is not None:
                        self.limiter.cooled(model, exc.retry_after)
                    more_here = attempt < self.retry.attempts_per_model
                    delay = self.retry.delay(attempt, exc.retry_after) if more_here else 0.0
                    run.settle(outcome, began, "rate_limited" if exc.rate_limited else "error", last_error)
                    following = model.name if more_here else next_model
                    yield AttemptFailed(number, model.name, last_error, delay if following else None, following)
                    if not more_here:
                        break
                    await asyncio.sleep(delay)
                except (BackendUnavailable, ModelRejected) as exc:
                    last_error = exc.one_line() if isinstance(exc, BackendUnavailable) else str(exc)
                    last_reason = exc.reason
                    run.settle(outcome, began, "error", last_error)
                    yield AttemptFailed(number, model.name, last_error, 0.0 if next_model else None, next_model)
                    break
        status = Status.RATE_LIMITED if last_reason == "rate_limited" else Status.ERROR
        yield BackendDone(status=status, error=f"every model failed; last: {last_error}", reason=last_reason)

    async def _limited(
        self, events: AsyncGenerator[Event, None], model: ModelConfig, prompt: str
    ) -> AsyncGenerator[Event, None]:
        """One attempt's events inside the shared limiter's slot, when there is a limiter (a batch)."""
        async with aclosing(events) as inner:
            if self.limiter is None:
                async for event in inner:
                    yield event
                return
            async with self.limiter.slot(model, sum(budgets.estimate_tokens(model, prompt))) as used:
                async for event in inner:
                    if isinstance(event, BackendDone):
                        used(event.usage.input_tokens + event.usage.output_tokens)
                    yield event

    async def _capture(self, space: workspace.Workspace, project: Project, envelope: Envelope) -> Notice:
        """Keep what an agent changed in its worktree (committed on the run's branch) and say so; a git failure
        is a warning in a record that is kept, never a lost run."""
        kind = backend_class(self.config.model(envelope.model or ""))
        try:
            summary = await asyncio.to_thread(
                space.capture, project, envelope.run_id, getattr(kind, "context_file", None), self.redactor
            )
        except (DispatchError, OSError) as exc:
            envelope.extras["changes"] = {"error": str(exc)}
            return Notice(f"could not capture the agent's changes: {exc}", "warning")
        if summary is None:
            return Notice(f"the agent worked in {space.path} itself (--in-place)")
        envelope.extras["changes"] = summary
        if not summary["files"]:
            return Notice(f"no changes on {summary['branch']}")
        return Notice(
            f"changes on {summary['branch']}: {len(summary['files'])} files, +{summary['insertions']} "
            f"-{summary['deletions']}; see `dispatch diff --slug {project.slug}`, then merge or drop"
        )

    async def _verify(
        self, request: DispatchRequest, agent_dir: Path, project: Project, run: RunRecord, text: str, timeout: float
    ) -> AsyncIterator[Event]:
        """Run the promised check where the work happened after an ok run; a failure is surfaced, never resubmitted.

        A command the spec names runs only for agents (which work in the project dir): a stateless model
        writes no files, so a spec's `Run: pytest` describes checks done elsewhere. --verify always runs.
        """
        envelope = run.envelope
        edits_files = envelope.model is not None and backend_class(self.config.model(envelope.model)).edits_files
        if not request.verify and not edits_files:
            return
        from core import verify  # a subprocess runner: only runs that verify load it

        commands = [request.verify] if request.verify else verify.commands_from_spec(text)
        if not commands:
            return
        if envelope.status != Status.OK:
            envelope.extras["verify"] = {"commands": commands, "skipped": f"the run ended {envelope.status}"}
            return
        await in_thread(lambda: run.checkpoint(project))
        yield Notice(f"verifying: {' && '.join(commands)}")
        results = await verify.run_all(
            commands, self._workdir(request, agent_dir, edits_files), dict(os.environ), min(timeout, verify.TIMEOUT)
        )
        last = results[-1]
        envelope.extras["verify"] = {
            "passed": last.passed,
            "command": last.command,
            "exit_code": last.exit_code,
            "output_tail": self.redactor.text(last.output_tail),
            "runs": [self.redactor.data(r.to_dict()) for r in results],
        }
        if not last.passed:
            envelope.status, envelope.reason = Status.ERROR, "verify_failed"
            why = last.error or f"exited with status {last.exit_code}"
            envelope.error = self.redactor.text(f"verification failed: `{last.command}` {why}")
            yield Notice(envelope.error, "error")
        else:
            yield Notice(f"verification passed: {' && '.join(r.command for r in results)}")

    def _workdir(self, request: DispatchRequest, agent_dir: Path, edits_files: bool) -> Path:
        if edits_files:
            return agent_dir
        return (request.cwd or Path.cwd()).resolve()

    def _redacted(self, event: Event) -> Event:
        """The event as every sink may see it: each string in it redacted (a finished run's envelope already is, and
        text deltas come out of the stream redactor)."""
        if isinstance(event, (Finished, TextDelta)):
            return event
        changes = {
            f.name: self.redactor.data(getattr(event, f.name))
            for f in fields(event)
            if type(getattr(event, f.name)) in (str, dict, list)
        }
        return replace(event, **changes)

    def _describe_request(self, backend: Backend, breq: BackendRequest) -> dict[str, Any]:
        model = backend.model
        return {
            "backend": model.backend,
            "model": model.provider_model,
            "base_url": model.base_url,
            "api_key_env": model.api_key_env,
            "cwd": str(breq.cwd),
            "timeout": breq.timeout,
            "permission": breq.permission,
            "read_only": breq.read_only,
            "history_messages": len(breq.history),
            "session_id": breq.session_id,
            "max_tokens": model.max_tokens,
            "temperature": model.temperature,
            "max_steps": breq.max_steps,
            "max_fetches": breq.max_fetches,
            "token_budget": breq.token_budget,
            "bin": model.bin,
            "stall_timeout": breq.stall_timeout,
        }


def _stamped(line: dict[str, Any], started: float) -> dict[str, Any]:
    """An event log line with `elapsed_s`, the seconds since the run began (to the millisecond), so the record's
    event list says when each thing happened."""
    line["elapsed_s"] = round(time.monotonic() - started, 3)
    return line


def _finished_line(envelope: Envelope) -> dict[str, Any]:
    """The event log's last line: the envelope without its result, which the record holds (and the text deltas
    before this line stream); a 1 MB answer is not written out a third time."""
    line = Finished(envelope).to_dict()
    line["envelope"] = {**line["envelope"], "result": None, "result_chars": len(envelope.result)}
    return line


class Answer:
    """The answer text as it streams in, kept as pieces (joining a growing string per piece is quadratic) and
    capped: past `cap` characters the run ends with reason `too_large`, keeping the first `cap`."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._parts: list[str] = []
        self.size = 0
        self.last = ""
        """The piece that fitted under the cap, when the cap was hit."""

    def add(self, text: str) -> bool:
        """Keep a piece; False (keeping only what fits) once the answer would pass the cap."""
        if self.size + len(text) > self.cap:
            self.last = text[: self.cap - self.size]
            self._parts.append(self.last)
            self.size = self.cap
            return False
        self._parts.append(text)
        self.size += len(text)
        return True

    @property
    def too_large(self) -> str:
        return (
            f"the answer passed the {self.cap:,} character cap and was cut there (raise defaults.max_answer_chars "
            "in config.toml if this was expected)"
        )

    def text(self) -> str:
        if len(self._parts) > 1:
            self._parts = ["".join(self._parts)]
        return self._parts[0] if self._parts else ""


def _left_by_verify(tree: Worktree, envelope: Envelope) -> list[Notice]:
    """Say which files the verify command changed in the worktree: the changes were captured before it ran, so
    the recorded diff is exactly the tree it checked, and what it wrote (a formatter's fixes, say) is not in it."""
    try:
        left = tree.uncommitted()
    except DispatchError as exc:
        return [Notice(f"could not check the worktree after verifying: {exc}", "warning")]
    if not left:
        return []
    envelope.extras["verify"]["left_changes"] = left
    return [
        Notice(
            f"the verify command changed {len(left)} file(s) in the worktree after the changes were captured: "
            f"{', '.join(left[:5])}{' ...' if len(left) > 5 else ''}; they are not in the recorded diff, which "
            "is what it checked",
            "warning",
        )
    ]


def _workspace_notices(
    inputs: input_files.Inputs | None, space: workspace.Workspace | None, implicit_cwd: bool
) -> list[Notice]:
    """What stderr says about where the work happens and what is sent with the spec."""
    notices = [Notice(space.notice, "warning")] if space is not None and space.notice else []
    if space is not None and space.worktree is not None:
        notices.append(Notice(f"the agent works in {space.path} on branch {space.worktree.branch}"))
    if inputs is None:
        return notices
    if inputs.files:
        notices.append(
            Notice(
                f"sending {len(inputs.files)} input files (~{inputs.tokens} tokens): "
                + ", ".join(f.path for f in inputs.files)
            )
        )
    if inputs.masked:
        notices.append(
            Notice(f"masked {inputs.masked} key-shaped strings in the input files before sending", "warning")
        )
    if inputs.already_sent:
        notices.append(Notice(f"not sent again (the session has them): {', '.join(inputs.already_sent)}"))
    if implicit_cwd and inputs.missing:
        notices.append(
            Notice(
                f"inputs not found under {inputs.cwd}, not sent: {', '.join(inputs.missing)} "
                "(pass --cwd the directory they are in)",
                "warning",
            )
        )
    return notices


def _conversation(breq: BackendRequest, answer: str) -> list[dict[str, Any]]:
    """The history a resumed chat session resends: it starts with the system turn, so it keeps its instructions."""
    earlier = breq.history or ([{"role": "system", "content": breq.system}] if breq.system else [])
    return [*earlier, {"role": "user", "content": breq.prompt}, {"role": "assistant", "content": answer}]


async def collect(events: AsyncIterator[Event]) -> Envelope:
    """Drain a dispatch and return its envelope; for callers that do not render the stream."""
    envelope: Envelope | None = None
    async for event in events:
        if isinstance(event, Finished):
            envelope = event.envelope
    if envelope is None:
        raise DispatchError("the dispatch ended without an envelope")
    return envelope
