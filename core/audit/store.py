"""Project directories and their run files, in reference design B's layout.

    <projects>/<slug>/
        .dispatch-logs/
            project.json                      slug, description, created, updated, backend, counts
            <YYYYMMDD-HHMMSS>-<pid>-<n>-result.json   envelope + spec + request + raw output + attempts
            <YYYYMMDD-HHMMSS>-<pid>-<n>-events.jsonl  every event, in order
            <run-id>.patch                    an agent run's changes to the user's repo
            changes.jsonl                     captures, merges and drops of those changes
            last-result.txt, last-session-id
            lock                              flock: one run at a time
        worktrees/<run-id>/                   an agent run's git worktree of the user's repo

A run's result file is written first with status "running" and rewritten when the run ends, each time
atomically; a record still "running" whose project is not locked was left by a crash, and the next
command that opens the project marks it interrupted.
"""

from __future__ import annotations

import itertools
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core import paths
from core.audit.lock import ProjectLock, is_locked
from core.envelope import Envelope, Status
from core.errors import DispatchError, ProjectBusy, UsageError
from core.fsutil import atomic_write_json, atomic_write_text, read_json, sweep_temp_files

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
LOGS = ".dispatch-logs"
RESULT_SUFFIX = "-result.json"
EVENTS_SUFFIX = "-events.jsonl"
_counter = itertools.count(1)


def validate_slug(slug: str) -> str:
    if not SLUG.match(slug):
        raise UsageError(f"invalid slug {slug!r}",
                         "use 1-64 characters: lowercase letters, digits and '-', starting with a letter or digit")
    return slug


def slug_from(text: str, limit: int = 40) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug or "task"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def new_run_id() -> str:
    return f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{next(_counter)}"


@dataclass
class Project:
    """One project's directory; every path inside it is derived here, so no caller builds one by hand."""

    slug: str
    root: Path

    @classmethod
    def at(cls, slug: str, base: Path | None = None) -> Project:
        return cls(validate_slug(slug), (base or paths.projects_dir()) / slug)

    @property
    def logs(self) -> Path:
        return self.root / LOGS

    @property
    def meta_path(self) -> Path:
        return self.logs / "project.json"

    def exists(self) -> bool:
        return self.meta_path.is_file()

    def lock(self) -> ProjectLock:
        return ProjectLock(self.logs / "lock", self.slug)

    def locked(self) -> bool:
        """Whether some process holds the project's lock now: a record says "running" and this is live."""
        return is_locked(self.logs / "lock")

    def result_path(self, run_id: str) -> Path:
        return self.logs / f"{run_id}{RESULT_SUFFIX}"

    def events_path(self, run_id: str) -> Path:
        return self.logs / f"{run_id}{EVENTS_SUFFIX}"

    def patch_path(self, run_id: str) -> Path:
        """The diff an agent run left on its branch, kept in the trail beside its result file."""
        return self.logs / f"{run_id}.patch"

    @property
    def changes_log(self) -> Path:
        """Every capture, merge and drop of an agent run's changes, in order (core/changes.py)."""
        return self.logs / "changes.jsonl"

    @property
    def worktrees(self) -> Path:
        """Where agent runs get their git worktrees of the user's repo."""
        return self.root / "worktrees"

    def meta(self) -> dict[str, Any]:
        try:
            meta: dict[str, Any] = read_json(self.meta_path)
            return meta
        except (FileNotFoundError, ValueError):
            return {}

    def ensure(self, description: str | None, backend: str | None) -> None:
        """Create the project (under its lock) or refresh its description; sweeps crash leftovers."""
        self.logs.mkdir(parents=True, exist_ok=True)
        sweep_temp_files(self.logs)
        meta = self.meta()
        if not meta:
            meta = {"slug": self.slug, "description": description or "", "created": now_iso(),
                    "updated": now_iso(), "backend": backend, "counts": {"runs": 0}}
        elif description:
            meta["description"] = description
        atomic_write_json(self.meta_path, meta)

    def record_finished(self, envelope: Envelope) -> None:
        """Fold a finished run into project.json; the caller holds the project lock. A review is counted but
        leaves last-result.txt and last-session-id to the work it reviewed, so resume continues that work."""
        meta = self.meta() or {"slug": self.slug, "description": "", "created": now_iso(), "counts": {"runs": 0}}
        counts = meta.setdefault("counts", {"runs": 0})
        counts["runs"] = counts.get("runs", 0) + 1
        counts[str(envelope.status)] = counts.get(str(envelope.status), 0) + 1
        counts["input_tokens"] = counts.get("input_tokens", 0) + envelope.usage.input_tokens
        counts["output_tokens"] = counts.get("output_tokens", 0) + envelope.usage.output_tokens
        counts["cost_usd"] = round(counts.get("cost_usd", 0.0) + (envelope.cost_usd or 0.0), 8)
        meta.update(updated=now_iso(), backend=envelope.backend or meta.get("backend"), last_run=envelope.run_id,
                    last_status=str(envelope.status), tier=envelope.tier)
        atomic_write_json(self.meta_path, meta)
        if envelope.kind == "review":
            return
        atomic_write_text(self.logs / "last-result.txt", envelope.result)
        if envelope.session_id:
            atomic_write_text(self.logs / "last-session-id", envelope.session_id + "\n")

    def last_session_id(self) -> str | None:
        """The session resume continues; None when there is none, or its file is damaged (not UTF-8)."""
        try:
            return (self.logs / "last-session-id").read_text(encoding="utf-8").strip() or None
        except (FileNotFoundError, UnicodeDecodeError):
            return None

    def run_ids(self) -> list[str]:
        """Every run of this project, oldest first (run ids sort by time)."""
        return sorted(p.name[: -len(RESULT_SUFFIX)] for p in self.logs.glob(f"*{RESULT_SUFFIX}"))

    def read_run(self, run_id: str) -> dict[str, Any]:
        run: dict[str, Any] = read_json(self.result_path(run_id))
        return run

    def named_run(self, run_id: str) -> dict[str, Any]:
        """The record of a run a person named on the command line: one that is not there, or cannot be read, is
        one line saying so rather than a traceback."""
        try:
            return self.read_run(run_id)
        except FileNotFoundError:
            raise UsageError(f"no run {run_id} in project '{self.slug}'",
                             f"see `dispatch runs --slug {self.slug}`") from None
        except (OSError, ValueError) as exc:
            raise DispatchError(f"the record of run {run_id} cannot be read: {exc}",
                                f"look at {self.result_path(run_id)}") from None

    def mark_interrupted_runs(self) -> list[str]:
        """Mark runs left 'running' by a dead process as interrupted; safe only when the lock is free or ours."""
        marked = []
        for run_id in self.run_ids():
            path = self.result_path(run_id)
            try:
                record = read_json(path)
            except (OSError, ValueError):
                continue
            if not isinstance(record, dict) or record.get("status") != Status.RUNNING:
                continue
            record.update(status=str(Status.INTERRUPTED),
                          error="the run was killed before it finished (found by a later command)",
                          reason="killed", finished_at=now_iso())
            atomic_write_json(path, record)
            self.record_finished(Envelope.from_dict(record))
            marked.append(run_id)
        return marked

    def recover(self) -> list[str]:
        """If no live process holds the project, repair what a crash left; returns the runs marked."""
        if not self.logs.is_dir() or self.locked():
            return []
        try:
            lock = self.lock().acquire(wait=0.0)
        except ProjectBusy:
            return []
        with lock:
            sweep_temp_files(self.logs)
            return self.mark_interrupted_runs()

