"""Typed run events: the one stream that the CLI, the console and the audit trail all consume.

Backends yield these; the engine adds run bookkeeping around them. No front end ever parses a
backend's raw output, it renders these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from core.envelope import Envelope, Status, Usage, plain


@dataclass(frozen=True)
class Event:
    def to_dict(self) -> dict[str, Any]:
        return {"type": type(self).__name__, **plain(self)}


@dataclass(frozen=True)
class RunStarted(Event):
    run_id: str
    slug: str
    backend: str
    model: str
    tier: str | None
    task_type: str | None
    audit_path: str


@dataclass(frozen=True)
class AttemptStarted(Event):
    number: int
    model: str
    backend: str


@dataclass(frozen=True)
class AttemptFailed(Event):
    """One attempt failed; `retry_in` is set when the engine will try again (same or next model)."""

    number: int
    model: str
    error: str
    retry_in: float | None = None
    next_model: str | None = None


@dataclass(frozen=True)
class Notice(Event):
    """A diagnostic for a person: the CLI prints it on stderr, the console as a notification."""

    message: str
    level: str = "info"


@dataclass(frozen=True)
class SessionStarted(Event):
    session_id: str


@dataclass(frozen=True)
class TextDelta(Event):
    text: str


def sound_text(text: Any) -> str:
    """A backend's text as it can be kept: a lone UTF-16 surrogate (JSON allows the escape `\\ud800`; a model cut
    inside a pair sends one) becomes U+FFFD, as no UTF-8 file can hold it and writing one lost the whole run; and
    what is not text at all is written out as text."""
    text = text if isinstance(text, str) else str(text)
    return _LONE_SURROGATE.sub("\ufffd", text) if _LONE_SURROGATE.search(text) else text


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class ToolCall(Event):
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    call_id: str = ""


@dataclass(frozen=True)
class ToolResult(Event):
    call_id: str
    name: str
    output: str
    is_error: bool = False


@dataclass(frozen=True)
class UsageUpdate(Event):
    input_tokens: int
    output_tokens: int


@dataclass(frozen=True)
class BackendDone(Event):
    """The backend's last word on one attempt; the engine turns it into the run's envelope."""

    status: Status
    result: str = ""
    session_id: str | None = None
    usage: Usage = field(default_factory=Usage)
    cost_usd: float | None = None
    num_turns: int = 1
    error: str | None = None
    reason: str | None = None
    raw: Any = None
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Finished(Event):
    envelope: Envelope
