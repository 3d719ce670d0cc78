"""One run's whole state while it runs: the envelope the caller gets plus what only the result file keeps
(spec, route, the request sent, the raw answer), typed in one object that writes itself to disk.

The engine changes a run only through this object, so what a result file can hold is read here, not pieced
together from the methods that fill it (llm keeps a response's state on one `Response` with `log_to_db()`).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from core.audit.store import Project, now_iso
from core.config import ModelConfig
from core.envelope import Envelope, Status
from core.events import BackendDone, sound_text
from core.redact import Redactor, mask_fragments

RECORD_VERSION = 1


@dataclass
class RunRecord:
    envelope: Envelope
    redactor: Redactor = field(repr=False)
    """Everything written to disk passes through it, so no save can leak a key."""
    spec: str = ""
    route: dict[str, Any] = field(default_factory=dict)
    forced: bool = False
    """Dispatched despite checklist errors (--force)."""
    description: str | None = None
    pid: int = field(default_factory=os.getpid)
    started_at: str = field(default_factory=now_iso)
    prompt: str | None = None
    """The prompt as sent, kept only when input files were inlined into it."""
    request: dict[str, Any] | None = None
    """The last attempt's request, described (backend, model, endpoint, limits)."""
    messages: list[dict[str, Any]] | None = None
    """The whole conversation, for backends whose session is the history itself (resumed by resending it)."""
    raw: Any = None
    finished_at: str | None = None

    @property
    def path(self) -> Path:
        return Path(self.envelope.audit_path)

    def begin_attempt(self, model: ModelConfig, request: dict[str, Any]) -> None:
        """An attempt starts on `model`: the envelope names it, the record keeps what is sent to it."""
        self.envelope.model, self.envelope.backend = model.name, model.backend
        self.request = self.redactor.data(request)

    def settle(self, outcome: dict[str, Any], began: float, status: str, error: str | None) -> None:
        """Record how one attempt ended."""
        outcome.update(status=status, error=error, duration_ms=int((time.monotonic() - began) * 1000))
        self.envelope.attempts.append(outcome)

    def answered(self, base_url: str | None, messages: list[dict[str, Any]] | None) -> None:
        """The attempt answered: a backend that finds its endpoint at run time (the local server) records where it
        went, and a chat backend keeps the conversation to resume."""
        if self.request is not None:
            self.request["base_url"] = base_url
        if messages is not None:
            self.messages = messages

    def finish(self, done: BackendDone | None, started: float, model: ModelConfig | None) -> None:
        """Fold the final BackendDone into the envelope (redacted) and stamp the record finished; `model` prices
        the usage when the backend reports no cost."""
        envelope = self.envelope
        done = done or BackendDone(
            status=Status.ERROR, error="the backend ended without a result", reason="bad_response"
        )
        envelope.status = done.status
        envelope.result = sound_text(done.result) if done.result else envelope.result
        envelope.session_id = done.session_id or envelope.session_id
        if done.usage.input_tokens or done.usage.output_tokens:
            envelope.usage = done.usage
        if done.cost_usd is not None:
            envelope.cost_usd = done.cost_usd
        elif model is not None:
            envelope.cost_usd = model.cost(envelope.usage.input_tokens, envelope.usage.output_tokens)
        envelope.num_turns = done.num_turns
        envelope.error = done.error
        envelope.reason = done.reason
        envelope.extras.update(done.extras)
        envelope.duration_ms = int((time.monotonic() - started) * 1000)
        if envelope.session_id is None and envelope.status == Status.OK and self.messages is not None:
            envelope.session_id = envelope.run_id
        found = self.redactor.found(envelope.result)
        envelope.result = self.redactor.text(envelope.result)
        envelope.error = self.redactor.text(envelope.error) if envelope.error else None
        envelope.attempts = self.redactor.data(envelope.attempts)
        envelope.extras = self.redactor.data(envelope.extras)
        self.raw = self.redactor.data(mask_fragments(done.raw, found))
        self.finished_at = now_iso()

    def to_dict(self) -> dict[str, Any]:
        """The result file's content: the envelope's keys, then the record's (a key only once it has a value)."""
        data: dict[str, Any] = {
            **self.envelope.to_dict(),
            "record_version": RECORD_VERSION,
            "pid": self.pid,
            "started_at": self.started_at,
            "spec": self.spec,
            "route": self.route,
            "forced": self.forced,
            "description": self.description,
        }
        optional = {"prompt": self.prompt, "request": self.request, "messages": self.messages}
        data.update({key: value for key, value in optional.items() if value is not None})
        if self.finished_at is not None:
            data.update(raw=self.raw, finished_at=self.finished_at)
        return data

    def save(self, project: Project) -> dict[str, Any]:
        """Write the result file (redacted) through the project, which writes it atomically and seals a finished
        run into its hash chain; returns what was written, for the index."""
        data: dict[str, Any] = self.redactor.data(self.to_dict())
        return project.write_run(self.envelope.run_id, data)

    def checkpoint(self, project: Project) -> None:
        """Write the answer so far as a still-running record before a step that can take long (a contract re-ask,
        the verify command): a kill during it then leaves that answer for the recovery to keep, where the record
        on disk would otherwise still be the empty one written at the start."""
        data = {key: value for key, value in self.to_dict().items() if key not in ("raw", "finished_at")}
        project.write_run(self.envelope.run_id, self.redactor.data({**data, "status": str(Status.RUNNING)}))


RECORD_KEYS = frozenset(
    {
        "record_version",
        "chain",
        "events_log",
        *(f.name for f in fields(RunRecord) if f.name not in ("envelope", "redactor")),
    }
)
"""Keys a result file holds beside the envelope's: the record's own (to_dict), the hash chain's seal and its event
log's digest, so reading a record back into an Envelope leaves them out of its extras."""
