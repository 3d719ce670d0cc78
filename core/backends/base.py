"""The one small interface every backend kind implements, with capability flags the engine reads.

A backend turns one request into a stream of typed events ending in `BackendDone`. It never retries:
the engine owns the single retry layer, so a backend raises `TransientError` for what may pass, and
`BackendUnavailable` for what will not (no binary, bad credentials, wrong endpoint).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from core.config import ModelConfig
from core.events import Event
from core.redact import Redactor


class TransientError(Exception):
    """A failure before any output that may pass: connect error, 408/409/429/5xx.

    `answered` tells a server that answered with an error (it is up: `server_error`, exit 1) from one that could
    not be reached at all (`unavailable`, exit 7)."""

    def __init__(
        self, message: str, retry_after: float | None = None, rate_limited: bool = False, answered: bool = False
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.rate_limited = rate_limited
        self.answered = answered

    @property
    def reason(self) -> str:
        return "rate_limited" if self.rate_limited else "server_error" if self.answered else "unavailable"


class ModelRejected(Exception):
    """This model cannot take this request (the server does not know it, 404, its context is too small), though
    the next model of the tier may: the engine records the attempt and moves on, without retrying this one."""

    def __init__(self, message: str, reason: str = "model_error") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass
class BackendRequest:
    prompt: str
    """The new user turn: the spec, plus any extra prompt."""
    cwd: Path
    """Where the work happens: the project dir for agents, --cwd for stateless models."""
    timeout: float
    system: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    """Earlier chat messages, for backends whose session is the history itself."""
    session_id: str | None = None
    """The agent's own session to resume, for backends that keep sessions."""
    permission: str = "acceptEdits"
    read_only: bool = False
    spec_text: str = ""
    stall_timeout: float = 300.0
    max_steps: int | None = None
    max_fetches: int | None = None
    """Web research: how many pages the loop may fetch."""
    token_budget: int | None = None
    """Web research: total tokens (in + out) the loop may spend before its last turn."""
    redactor: Redactor = field(default_factory=Redactor.from_environment)
    """The engine's redactor (its keys and config patterns), for what a backend keeps of a child's output."""


class Backend(ABC):
    kind: ClassVar[str]
    can_stream: ClassVar[bool] = True
    can_resume: ClassVar[bool] = False
    has_tools: ClassVar[bool] = False
    edits_files: ClassVar[bool] = False
    enforces_timeout: ClassVar[bool] = False
    """True when the backend stops itself at request.timeout and reports what it saw (output, stderr) in its
    BackendDone; the engine's own timeout then fires only later, as a backstop."""
    history_is_session: ClassVar[bool] = False
    """True when resuming means resending the message history (stateless chat backends)."""
    default_context_window: ClassVar[int | None] = None
    """Tokens a prompt with its inlined input files may fill when the model's config sets no context_window;
    None for backends that open files themselves (agents)."""

    def __init__(self, model: ModelConfig) -> None:
        self.model = model

    def preflight(self) -> None:  # noqa: B027 (optional: most backends need no check)
        """Raise BackendUnavailable if this backend cannot run on this machine at all (a package or binary absent).

        Cheap and side-effect free: the engine calls it before recording anything.
        """

    @abstractmethod
    def run(self, request: BackendRequest) -> AsyncGenerator[Event, None]:
        """Yield events for one attempt, ending with exactly one BackendDone."""
