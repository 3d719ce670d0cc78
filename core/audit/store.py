"""Project directories and their run files, in reference design B's layout.

    <projects>/<slug>/
        .dispatch-logs/
            project.json                      slug, description, created, updated, backend, counts, the last
                                              run, the last work run (not a review) and its session id
            <YYYYMMDD-HHMMSS>-<pid>-<n>-result.json   envelope + spec + request + raw output + attempts
            <YYYYMMDD-HHMMSS>-<pid>-<n>-events.jsonl  every event, in order
            <run-id>.patch                    an agent run's changes to the user's repo
            changes.jsonl                     captures, merges and drops of those changes
            lock                              flock: one run at a time
        worktrees/<run-id>/                   an agent run's git worktree of the user's repo

A run's result file is written first with status "running" and rewritten when the run ends, each time
atomically; a record still "running" whose project is not locked was left by a crash, and the next
command that opens the project marks it interrupted.

Trails written before project.json named the last work run and its session kept them in `last-result.txt` and
`last-session-id`; those are still read, and a run that supersedes one deletes it (so a file there is always
newer than project.json's field: an older dispatch wrote it). Two files fewer to create and sync per run: on a
filesystem after many deletions creating a file cost up to 1 ms, and a batch item created nine.
"""

from __future__ import annotations

import functools
import itertools
import json
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
from core.fsutil import (
    atomic_write_bytes,
    atomic_write_json,
    file_digest,
    identity,
    json_text,
    read_json,
    sweep_temp_files,
)

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
"""A project name; always matched whole (fullmatch: `$` would let a trailing newline through)."""
RUN_ID = re.compile(r"\d{8}-\d{6}-\d{1,10}-\d{1,10}")
SESSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
"""An agent's own session id (a UUID, say) or a run id; never a path."""
LOGS = ".dispatch-logs"
RESULT_SUFFIX = "-result.json"
EVENTS_SUFFIX = "-events.jsonl"
LAST_RESULT = "last-result.txt"
LAST_SESSION = "last-session-id"
"""The files older trails kept the last work run's result and session in (see the module docstring)."""
_counter = itertools.count(1)
_metas: dict[Path, tuple[tuple[int, int, int], str]] = {}
"""Each project.json as this process last wrote it: the file's identity then, and its text. A run reads back what
it wrote at its start twice more (folding its end in, and the index's row), and a batch's index once per flush:
while the file is still the one written here, the text is parsed without opening the file."""


_TEXT, _NUMBER, _OBJECT, _LIST = (str, type(None)), (int, float, type(None)), (dict, type(None)), (list, type(None))
PROJECT_SHAPE: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(("slug", "description", "created", "updated", "backend", "tier"), _TEXT),
    **dict.fromkeys(("last_run", "last_status", "last_work_run", "last_session_id"), _TEXT),
    "counts": _OBJECT,
}
"""The type of each project.json field the trail and the index read; None is always allowed (a field not there)."""
RECORD_SHAPE: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(("run_id", "slug", "backend", "model", "tier", "task_type", "status", "kind", "reason"), _TEXT),
    **dict.fromkeys(("result", "spec", "description", "error", "session_id", "audit_path", "verdict"), _TEXT),
    **dict.fromkeys(("started_at", "finished_at", "parent_run_id", "reviewed_run_id"), _TEXT),
    **dict.fromkeys(("duration_ms", "num_turns", "cost_usd", "inputs_masked"), _NUMBER),
    **dict.fromkeys(("usage", "route", "contract", "chain", "events_log", "request", "worktree"), _OBJECT),
    **dict.fromkeys(("verify", "changes", "accepted"), _OBJECT),
    **dict.fromkeys(("attempts", "findings", "inputs", "reasons"), _LIST),
}
"""The type of each run record field that the index, `show`, `export`, resume and review read."""
COUNTERS = ("usage", "counts")
"""Objects whose every value is a number: the index sums them, and each run adds to project.json's counts."""
LISTS_OF_OBJECTS = ("attempts", "findings", "inputs")
SQLITE_INT = 2**63
"""Numbers are stored in the index as SQLite integers: one this large or larger cannot be (nor can inf or nan)."""


def shape_problem(data: Any, shape: dict[str, tuple[type, ...]]) -> str | None:
    """Why `data`, parsed from a trail file, is not the object its readers take, or None: a file edited into
    valid JSON of the wrong shape is unreadable like a truncated one, not an AttributeError in some reader."""
    if not isinstance(data, dict):
        return f"it holds a JSON {type(data).__name__}, not an object"
    for key, kinds in shape.items():
        if not isinstance(value := data.get(key), kinds):
            return f"its {key} is a JSON {type(value).__name__}"
    counted = [v for key in COUNTERS if key in shape for v in (data.get(key) or {}).values()]
    if not all(isinstance(v, int | float) for v in counted):
        return f"its {' or '.join(key for key in COUNTERS if key in shape)} holds something other than numbers"
    if any(not isinstance(item, dict) for key in LISTS_OF_OBJECTS if key in shape for item in data.get(key) or []):
        return f"its {', '.join(LISTS_OF_OBJECTS)} hold something other than objects"
    numbers = [data.get(key) for key, kinds in shape.items() if kinds is _NUMBER] + counted
    if any(number is not None and not -SQLITE_INT < number < SQLITE_INT for number in numbers):
        return "it holds a number out of range"
    return None


def validate_slug(slug: str) -> str:
    if not SLUG.fullmatch(slug):
        raise UsageError(
            f"invalid slug {slug!r}",
            "use 1-64 characters: lowercase letters, digits and '-', starting with a letter or digit",
        )
    return slug


def validate_run_id(run_id: str) -> str:
    if not RUN_ID.fullmatch(run_id):
        raise UsageError(
            f"invalid run id {run_id!r}", "run ids look like 20261121-220000-1234-1; see `dispatch runs --slug S`"
        )
    return run_id


def validate_session_id(session_id: str) -> str:
    if not SESSION_ID.fullmatch(session_id):
        raise UsageError(
            f"invalid session id {session_id!r}",
            "use letters, digits, '.', ':', '-' and '_' only; see `dispatch sessions --slug S`",
        )
    return session_id


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

    @functools.cached_property
    def logs(self) -> Path:
        """Kept once made, like meta_path: a run asks for each dozens of times, and building a Path is not free."""
        return self.root / LOGS

    @functools.cached_property
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
        return self.logs / f"{validate_run_id(run_id)}{RESULT_SUFFIX}"

    def events_path(self, run_id: str) -> Path:
        return self.logs / f"{validate_run_id(run_id)}{EVENTS_SUFFIX}"

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
        known = _metas.get(self.meta_path)
        try:
            if known is not None and identity(self.meta_path) == known[0]:
                meta: dict[str, Any] = json.loads(known[1])
            else:
                meta = read_json(self.meta_path)
        except (FileNotFoundError, ValueError):
            return {}
        return {} if shape_problem(meta, PROJECT_SHAPE) else meta

    def _write_meta(self, meta: dict[str, Any]) -> None:
        text = json_text(meta)
        atomic_write_bytes(self.meta_path, text.encode("utf-8"))
        if (written := identity(self.meta_path)) is not None:
            _metas[self.meta_path] = (written, text)

    def ensure(self, description: str | None, backend: str | None, first_description: str = "") -> None:
        """Create the project (under its lock), or set the description a person gave (`--desc`); sweeps crash
        leftovers. A new project without one is described by its first run's goal, and later runs keep that."""
        self.logs.mkdir(parents=True, exist_ok=True)
        sweep_temp_files(self.logs)
        meta = self.meta()
        if not meta:
            meta = {
                "slug": self.slug,
                "description": description or first_description,
                "created": now_iso(),
                "updated": now_iso(),
                "backend": backend,
                "counts": {"runs": 0},
            }
        elif description is not None:
            meta["description"] = description
        # Rewritten even when unchanged: the index finds a project's new (running) records by project.json's
        # fingerprint changing (core/audit/index_writer.py).
        self._write_meta(meta)

    def record_finished(self, envelope: Envelope) -> None:
        """Fold a finished run into project.json; the caller holds the project lock. A review is counted but
        leaves the last work run and its session to the work it reviewed, so resume continues that work."""
        meta = self.meta() or {"slug": self.slug, "description": "", "created": now_iso(), "counts": {"runs": 0}}
        _fold(meta.setdefault("counts", {"runs": 0}), envelope)
        meta.update(
            updated=now_iso(),
            backend=envelope.backend or meta.get("backend"),
            last_run=envelope.run_id,
            last_status=str(envelope.status),
            tier=envelope.tier,
        )
        if envelope.kind != "review":
            meta["last_work_run"] = envelope.run_id
            (self.logs / LAST_RESULT).unlink(missing_ok=True)
            if envelope.session_id:
                meta["last_session_id"] = envelope.session_id
                (self.logs / LAST_SESSION).unlink(missing_ok=True)
        self._write_meta(meta)

    def last_result(self) -> str:
        """The last work run's result, from its record (an older trail's last-result.txt while it is there)."""
        try:
            return (self.logs / LAST_RESULT).read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            pass
        meta = self.meta()
        last = meta.get("last_work_run", meta.get("last_run"))
        try:
            return (
                str(self.read_run(last).get("result") or "") if isinstance(last, str) and RUN_ID.fullmatch(last) else ""
            )
        except (OSError, ValueError):
            return ""

    def last_session_id(self) -> str | None:
        """The session resume continues (an older trail's last-session-id while it is there); None when there is
        none, or that file is damaged (not UTF-8)."""
        try:
            return (self.logs / LAST_SESSION).read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            session = self.meta().get("last_session_id")
            return session if isinstance(session, str) and session else None
        except UnicodeDecodeError:
            return None

    def run_ids(self) -> list[str]:
        """Every run of this project, oldest first (run ids sort by time)."""
        names = (p.name[: -len(RESULT_SUFFIX)] for p in self.logs.glob(f"*{RESULT_SUFFIX}"))
        return sorted(name for name in names if RUN_ID.fullmatch(name))

    def write_run(self, run_id: str, record: dict[str, Any]) -> dict[str, Any]:
        """The one place a run record is written: atomically, and sealed into the project's hash chain once the run
        has ended (core/audit/chain.py), with the digest of its event log, complete by then. The caller holds the
        project lock. Returns what was written.

        On one line: a record is written twice a run and holds the whole answer and raw stream, and indenting it
        was most of the CPU the write took; `dispatch show` (`--json` for all of it) is how a person reads one."""
        from core.audit import chain  # it reads run files by this module's names, so it imports this module

        path = self.result_path(run_id)
        if record.get("status") != Status.RUNNING and (log := file_digest(self.events_path(run_id))) is not None:
            record = {**record, "events_log": log}  # sealed with the record: an edited event log shows too
        sealed = chain.seal(self.logs, path.name, record)
        atomic_write_json(path, sealed, indent=None)
        chain.remember(path, sealed)
        return sealed

    def read_run(self, run_id: str, *, as_stored: bool = False) -> dict[str, Any]:
        """The one place a run record is read; valid JSON of the wrong shape raises ValueError like broken JSON,
        unless `as_stored` (`show --json` prints whatever the file holds)."""
        run: dict[str, Any] = read_json(self.result_path(run_id))
        if not as_stored and (problem := shape_problem(run, RECORD_SHAPE)):
            raise ValueError(f"not in the shape of a run record: {problem}")
        return run

    def named_run(self, run_id: str, *, as_stored: bool = False) -> dict[str, Any]:
        """The record of a run a person named on the command line: one that is not there, or cannot be read, is
        one line saying so rather than a traceback."""
        try:
            return self.read_run(run_id, as_stored=as_stored)
        except FileNotFoundError:
            raise UsageError(
                f"no run {run_id} in project '{self.slug}'", f"see `dispatch runs --slug {self.slug}`"
            ) from None
        except (OSError, ValueError) as exc:
            raise DispatchError(
                f"the record of run {run_id} cannot be read: {exc}", f"look at {self.result_path(run_id)}"
            ) from None

    def recount(self) -> bool:
        """Derive project.json's counts from the result files when they disagree (a kill between a run file's write
        and project.json's left it one short); call with the lock held and no run in flight. True if rewritten."""
        run_ids = self.run_ids()
        meta = self.meta()
        if not meta or meta.get("counts", {}).get("runs") == len(run_ids):
            return False
        counts: dict[str, Any] = {"runs": 0}
        for run_id in run_ids:
            try:
                _fold(counts, Envelope.from_dict(self.read_run(run_id)))
            except (OSError, ValueError, TypeError):
                counts["runs"] += 1
                counts["unreadable"] = counts.get("unreadable", 0) + 1
        meta["counts"] = counts
        self._write_meta(meta)
        return True

    def mark_interrupted_runs(self, candidates: list[str] | None = None) -> list[str]:
        """Mark runs left 'running' by a dead process as interrupted (of `candidates`, else of every run); safe only
        when the lock is free or ours."""
        marked = []
        for run_id in self.run_ids() if candidates is None else candidates:
            try:
                record = self.read_run(run_id)
            except (OSError, ValueError):
                continue
            if record.get("status") != Status.RUNNING:
                continue
            record.update(
                status=str(Status.INTERRUPTED),
                error="the run was killed before it finished (found by a later command)",
                reason="killed",
                finished_at=now_iso(),
            )
            self.record_finished(Envelope.from_dict(self.write_run(run_id, record)))
            marked.append(run_id)
        return marked

    def recover(self, everywhere: bool = False) -> list[str]:
        """If no live process holds the project, repair what a crash left; returns the runs marked.

        A project's runs take its lock one at a time, each after a recovery like this one, and the lock file names
        the run of its last holder: so a run left running can only be that one, or the newest. Only they are read
        (reading every record at every run's start made a batch into one project quadratic); `everywhere` reads
        them all, for `dispatch audit verify`."""
        if not self.logs.is_dir() or self.locked():
            return []
        noted = self.lock().info().get("run_id")  # before taking the lock, which rewrites it
        last_holder = {noted} if isinstance(noted, str) else set()
        try:
            lock = self.lock().acquire(wait=0.0)
        except ProjectBusy:
            return []
        with lock:
            sweep_temp_files(self.logs)
            run_ids = self.run_ids()
            suspects = None if everywhere else sorted({*run_ids[-1:], *(last_holder & set(run_ids))})
            marked = self.mark_interrupted_runs(suspects)
            self.recount()
            return marked


def _fold(counts: dict[str, Any], envelope: Envelope) -> None:
    """Add one finished run to a project's counts."""
    counts["runs"] = counts.get("runs", 0) + 1
    counts[str(envelope.status)] = counts.get(str(envelope.status), 0) + 1
    counts["input_tokens"] = counts.get("input_tokens", 0) + envelope.usage.input_tokens
    counts["output_tokens"] = counts.get("output_tokens", 0) + envelope.usage.output_tokens
    counts["cost_usd"] = round(counts.get("cost_usd", 0.0) + (envelope.cost_usd or 0.0), 8)
