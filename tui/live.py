"""A dispatch in flight inside the console: the engine's events folded into what the screens show.

The worker appends; the run view and the dashboard read at frame rate, so token chunks never become messages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from core.cli.output import one_line
from core.engine import DispatchRequest
from core.envelope import Envelope, Status
from core.events import (
    AttemptFailed,
    AttemptStarted,
    Event,
    Finished,
    Notice,
    RunStarted,
    SessionStarted,
    TextDelta,
    ToolCall,
    ToolResult,
    UsageUpdate,
)
from tui import contract_actions
from tui.format import since_start

NEXT_STEP = {
    "unavailable": "check that the model's server is up and its base_url and key variable are right (Settings, F5), "
    "or escalate (e) to another tier",
    "rate_limited": "the provider is rate-limiting: wait a minute and resume (r), or escalate (e) to another tier",
    "timeout": "raise the default timeout in Settings (F5) or split the task; resume (r) continues the session",
    "verify_failed": "open the record (o) for the check's output, then resume (r) with what to fix",
    "contract_violation": contract_actions.HINT,
    "bad_response": "the model's answer could not be read: open the record (o), then resume (r) or escalate (e)",
    "signal": "the run was stopped: resume (r) continues it",
    Status.MAX_TURNS: "the agent used all its turns: resume (r) lets it go on, or split the task",
    Status.BLOCKED: "the model is blocked: answer it with resume (r), or escalate (e)",
    Status.NEEDS_INPUT: "the model needs a decision from you: give it with resume (r)",
    Status.INTERRUPTED: "the run was stopped: resume (r) continues it",
}
"""What a person can do about a run that did not end ok, by the envelope's reason, else its status."""


@dataclass
class LiveRun:
    key: int
    request: DispatchRequest
    started: float
    """The app clock's reading when the dispatch began."""
    run_id: str | None = None
    slug: str | None = None
    model: str | None = None
    backend: str | None = None
    tier: str | None = None
    status: str = "starting"
    text: str = ""
    log: list[str] = field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    ended: float | None = None
    envelope: Envelope | None = None
    error: str | None = None
    earlier: list[tuple[str, str]] = field(default_factory=list)
    """A resume's conversation so far, as (who, text) turns: the answers before and the prompts that followed."""

    @property
    def done(self) -> bool:
        return self.ended is not None

    @property
    def label(self) -> str:
        name = self.slug or self.request.slug
        return f"{self.request.kind} {name}" if name else self.request.kind if self.done else f"{self.request.kind} …"

    @property
    def next_step(self) -> str | None:
        """What to do about how the run ended; None when it ended ok or its error already says (a refusal)."""
        if self.envelope is None or self.status in (Status.OK, Status.REJECTED):
            return None
        return NEXT_STEP.get(self.envelope.reason or "") or NEXT_STEP.get(self.status)

    def say(self, line: str, at: float) -> None:
        """One line of the event log, after the seconds into the run it happened at."""
        self.log.append(f"{since_start(at):>8}  {line}")

    def apply(self, event: Event, at: float) -> None:
        """Fold one engine event, `at` seconds into the run, into the state; the log gets one line for each
        non-text event."""
        if isinstance(event, TextDelta):
            self.text += event.text
            return
        if isinstance(event, RunStarted):
            self.run_id, self.slug, self.model, self.backend, self.tier = (
                event.run_id,
                event.slug,
                event.model,
                event.backend,
                event.tier,
            )
            self.status = "running"
            self.say(f"started {event.run_id} on {event.model} ({event.backend}, tier {event.tier or '-'})", at)
        elif isinstance(event, AttemptStarted):
            self.model, self.backend = event.model, event.backend
            self.say(f"attempt {event.number}: {event.model} ({event.backend})", at)
        elif isinstance(event, AttemptFailed):
            then = f"; next {event.next_model} in {event.retry_in:.1f} s" if event.next_model else ""
            self.say(f"attempt {event.number} failed on {event.model}: {event.error}{then}", at)
        elif isinstance(event, UsageUpdate):
            self.input_tokens, self.output_tokens = event.input_tokens, event.output_tokens
        elif isinstance(event, SessionStarted):
            self.say(f"session {event.session_id}", at)
        elif isinstance(event, ToolCall):
            self.say(f"tool {event.name} {_brief(event.arguments)}", at)
        elif isinstance(event, ToolResult):
            mark = "error" if event.is_error else "result"
            self.say(f"  {mark} {event.name}: {_brief(event.output)}", at)
        elif isinstance(event, Notice):
            self.say(f"{event.level}: {event.message}", at)
        elif isinstance(event, Finished):
            self.finish(event.envelope, at)

    def finish(self, envelope: Envelope, at: float) -> None:
        self.envelope = envelope
        self.status = str(envelope.status)
        self.run_id = envelope.run_id or self.run_id
        self.slug = envelope.slug or self.slug
        self.input_tokens, self.output_tokens = envelope.usage.input_tokens, envelope.usage.output_tokens
        self.cost_usd = envelope.cost_usd
        self.error = envelope.error
        if envelope.result and not self.text:
            self.text = envelope.result
        if envelope.status == Status.REJECTED:
            for f in envelope.findings:
                self.say(f"spec:{f['line']}: {f['severity']} {f['rule']}: {f['message']}", at)
        self.say(f"finished: {envelope.status}" + (f" — {envelope.error}" if envelope.error else ""), at)


def _brief(value: Any, limit: int = 160) -> str:
    return one_line(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str), limit)
