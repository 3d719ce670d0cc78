"""The run envelope: the one JSON object `--json` prints and every result file starts from."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields, is_dataclass
from enum import StrEnum
from typing import Any

from core.errors import ExitCode


class Status(StrEnum):
    OK = "ok"
    ERROR = "error"
    BLOCKED = "blocked"
    NEEDS_INPUT = "needs_input"
    TIMEOUT = "timeout"
    MAX_TURNS = "max_turns"
    RATE_LIMITED = "rate_limited"
    INTERRUPTED = "interrupted"
    REJECTED = "rejected"
    SKIPPED = "skipped"
    """A batch item never started (its budget ran out); no run exists for it."""
    RUNNING = "running"
    """Only ever on disk while a run is in flight; a dead runner's record is later marked interrupted."""


STOPS = {
    "signal": "interrupted by a signal",
    "cancelled": "cancelled on request",
    "output_closed": "its output was closed before it finished (a closed pipe, or the reader stopped)",
}
"""Why an interrupted run stopped, by reason: a task cancelled with `task.cancel("cancelled")` was asked to by a
person or a client (`dispatch batch --cancel`, the console's Cancel, an MCP `cancel`); with "output_closed", whoever
read its output went away (`dispatch batch --json | head -1`); any other cancel, SIGINT or SIGTERM is a signal."""


def stop_of(exc: BaseException) -> tuple[str, str]:
    """(error, reason) for a run stopped by `exc`: the reason its cancel named, if one of STOPS, else `signal`."""
    named = exc.args[0] if exc.args else None
    reason = named if isinstance(named, str) and named in STOPS else "signal"
    return STOPS[reason], reason


STATUS_EXIT = {
    Status.OK: ExitCode.OK,
    Status.ERROR: ExitCode.RUN_FAILED,
    Status.BLOCKED: ExitCode.BLOCKED,
    Status.NEEDS_INPUT: ExitCode.BLOCKED,
    Status.TIMEOUT: ExitCode.TIMEOUT,
    Status.MAX_TURNS: ExitCode.RUN_FAILED,
    Status.RATE_LIMITED: ExitCode.RUN_FAILED,
    Status.INTERRUPTED: ExitCode.INTERRUPTED,
    Status.REJECTED: ExitCode.SPEC_REJECTED,
    Status.SKIPPED: ExitCode.RUN_FAILED,
    Status.RUNNING: ExitCode.RUN_FAILED,
}


@dataclass
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.input_tokens + other.input_tokens, self.output_tokens + other.output_tokens)


@dataclass
class Envelope:
    run_id: str
    slug: str
    backend: str | None = None
    model: str | None = None
    tier: str | None = None
    task_type: str | None = None
    status: Status = Status.RUNNING
    result: str = ""
    session_id: str | None = None
    usage: Usage = field(default_factory=Usage)
    cost_usd: float | None = None
    duration_ms: int = 0
    num_turns: int = 0
    attempts: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    audit_path: str = ""
    error: str | None = None
    reason: str | None = None
    kind: str = "run"
    """run, resume, review or escalation: how this run relates to the project's earlier ones."""
    extras: dict[str, Any] = field(default_factory=dict)
    """Backend-specific fields (citations, verify, verdict) printed at the top level of the JSON."""

    @property
    def exit_code(self) -> ExitCode:
        if self.status == Status.ERROR and self.reason == "unavailable":
            return ExitCode.BACKEND_UNAVAILABLE
        return STATUS_EXIT[self.status]

    def to_dict(self) -> dict[str, Any]:
        data = plain(self)
        extras = data.pop("extras")
        data["status"] = str(self.status)
        return {**data, **extras}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Envelope:
        from core.run_record import RECORD_KEYS  # it builds on this module

        known = {f for f in cls.__dataclass_fields__ if f != "extras"}
        fields = {k: v for k, v in data.items() if k in known}
        extras = {k: v for k, v in data.items() if k not in known and k not in RECORD_KEYS}
        fields["status"] = Status(fields.get("status", Status.ERROR))
        fields["usage"] = Usage(**(fields.get("usage") or {}))
        return cls(**fields, extras=extras)


_ATOMS = (str, int, float, type(None))


def plain(value: Any) -> Any:
    """What `dataclasses.asdict` makes of `value` (dataclasses as dicts, containers copied), without its deepcopy of
    every string and number: a run's envelope and events are turned into dicts several times as they are recorded,
    and asdict alone was a tenth of a batch item's CPU."""
    if isinstance(value, _ATOMS):
        return value
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if type(value) is tuple:
        return tuple(plain(v) for v in value)
    return copy.deepcopy(value)
