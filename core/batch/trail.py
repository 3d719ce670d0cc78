"""A batch's record in the audit trail, beside the projects its runs belong to:

    $DISPATCH_PROJECTS_DIR/.dispatch-batches/<batch_id>/
        batch.json       id, created, pid, options, and at the end: finished_at, status, totals
        manifest.json    every item (spec text included), written once before the first is sent
        items.jsonl      append-only: one line each time an item starts, finishes, is skipped or rejected
        lock             flock, held while a process runs the batch
        cancel           written by `dispatch batch --cancel` (or the console) to ask the process running it to stop

Each line of items.jsonl is flushed as it is written, so a batch killed outright (SIGKILL) leaves every
finished item on record; the last line of an item says where it stands. `--resume` reads them back.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from core import paths
from core.audit.lock import ProjectLock, is_locked
from core.audit.store import now_iso
from core.batch.manifest import Item
from core.config_rules import FLAG, TEXT, ZERO_OR_MORE, check_table, key
from core.errors import ProjectBusy, UsageError
from core.fsutil import JsonLines, atomic_write_json, read_json, read_json_lines
from core.redact import Redactor

BATCHES = ".dispatch-batches"
BATCH_ID = re.compile(r"batch-\d{8}-\d{6}-\d{1,10}")
CANCEL_POLL_S = 0.25
"""How often a running batch looks for a cancel request."""


def batches_dir() -> Path:
    return paths.projects_dir() / BATCHES


def new_batch_id() -> str:
    return f"batch-{datetime.now().strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"


@dataclass
class ItemRecord:
    """Where one item stands, from its latest line in items.jsonl."""

    item: int
    state: str
    """started, finished, skipped or rejected."""
    status: str = ""
    run_id: str = ""
    slug: str = ""
    model: str | None = None
    reason: str | None = None
    error: str | None = None
    cost_usd: float | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    duration_ms: int = 0
    audit_path: str = ""
    at: str = field(default_factory=now_iso)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ItemRecord:
        """The record a line holds; TypeError for one whose fields are missing or of the wrong type (an edited or
        foreign line), which readers skip as they skip a torn one, instead of failing on it later in a sum."""
        return cls(**_typed_fields(cls, data))

    @property
    def done_ok(self) -> bool:
        return self.state == "finished" and self.status == "ok"


def _typed_fields(cls: Any, data: Any) -> dict[str, Any]:
    """The fields of dataclass `cls` that `data` (read from JSON) holds; TypeError when it is not an object or a
    field has the wrong type, so an edited trail is refused where it is read, not deep in a later step."""
    if not isinstance(data, dict):
        raise TypeError(f"a JSON {type(data).__name__}, not an object")
    known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
    for name, value in known.items():
        if not _fits(value, cls.__dataclass_fields__[name].type):
            raise TypeError(f"{name} is {type(value).__name__}")
    return known


def _fits(value: Any, annotation: Any) -> bool:
    """Whether a value read from JSON has the type a record's field is annotated with (a string, as these modules
    use postponed annotations): `int`, `str`, `dict[str, Any]` and `X | None`; a float field takes an int too."""
    kinds = {"int": (int,), "str": (str,), "float": (int, float), "None": (type(None),), "dict[str, Any]": (dict,)}
    allowed = tuple(kind for part in str(annotation).split("|") for kind in kinds[part.strip()])
    return isinstance(value, allowed) and not isinstance(value, bool)


def _item(number: int, data: Any) -> Item:
    try:
        return Item(**_typed_fields(Item, data))
    except TypeError as exc:
        raise TypeError(f"item {number}: {exc}") from None


@dataclass
class RecordedOptions:
    """What batch.json's options hold that a resume uses: the budget, skip_rejected and the directory the specs'
    inputs are relative to. The others (-j, --agents, -P, --timeout) are the resuming command's own."""

    max_cost: float | None = key(ZERO_OR_MORE, None)
    skip_rejected: bool = key(FLAG, False)
    cwd: str | None = key(TEXT, None)


RECORDED = {f.name for f in fields(RecordedOptions)}


class BatchTrail:
    """One batch's directory. `create` for a new batch, `open` for one on record (resume, the console)."""

    def __init__(self, batch_id: str, root: Path) -> None:
        self.batch_id = batch_id
        self.root = root
        self._lines: JsonLines | None = None
        self._lock: ProjectLock | None = None

    @classmethod
    def create(cls, items: list[Item], options: dict[str, Any], redactor: Redactor) -> BatchTrail:
        """Record a new batch; its manifest is redacted like every run file (a resume sends the masked text)."""
        batch_id = new_batch_id()
        root = batches_dir() / batch_id
        suffix = 1
        while root.exists():
            suffix += 1
            root = batches_dir() / f"{batch_id}{suffix}"
        trail = cls(root.name, root)
        root.mkdir(parents=True)
        trail.acquire()
        atomic_write_json(
            trail.manifest_path, {"batch_id": trail.batch_id, "items": [redactor.data(i.to_dict()) for i in items]}
        )
        atomic_write_json(
            trail.meta_path,
            {
                "batch_id": trail.batch_id,
                "created": now_iso(),
                "pid": os.getpid(),
                "options": options,
                "total": len(items),
                "status": "running",
            },
        )
        return trail

    @classmethod
    def open(cls, batch_id: str) -> BatchTrail:
        if not BATCH_ID.fullmatch(batch_id):
            raise UsageError(
                f"{batch_id!r} is not a batch id",
                "batch ids look like batch-20261202-041500-1234; see `dispatch batch --list`",
            )
        trail = cls(batch_id, batches_dir() / batch_id)
        if not trail.manifest_path.is_file():
            raise UsageError(f"no batch {batch_id} on record", f"batches live in {batches_dir()}")
        return trail

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    @property
    def meta_path(self) -> Path:
        return self.root / "batch.json"

    @property
    def items_path(self) -> Path:
        return self.root / "items.jsonl"

    @property
    def lock_path(self) -> Path:
        return self.root / "lock"

    @property
    def cancel_path(self) -> Path:
        return self.root / "cancel"

    def acquire(self) -> None:
        """Hold the batch's lock while it runs: a second process cannot resume it, the console sees it live."""
        lock = ProjectLock(self.lock_path, self.batch_id)
        try:
            lock.acquire(wait=0.0)
        except ProjectBusy:
            raise ProjectBusy(
                f"batch {self.batch_id} is running: {lock.holder()}", "wait for it to end, or stop that process first"
            ) from None
        self._lock = lock
        self.cancel_path.unlink(missing_ok=True)  # a stop asked of an earlier run of this batch is not for this one

    def running(self) -> bool:
        return is_locked(self.lock_path)

    def state(self) -> str:
        """running, killed (its process died with it unfinished), or how it ended (finished, interrupted)."""
        status = str(self.meta().get("status") or "killed")
        if self.running():
            return "running"
        return "killed" if status == "running" else status

    def request_cancel(self) -> None:
        """Ask the process running the batch to stop as on SIGINT; it looks for the request every CANCEL_POLL_S.
        A request is a file, not a signal: the process may host other work (the console, an MCP server)."""
        atomic_write_json(self.cancel_path, {"at": now_iso(), "pid": os.getpid()})

    def cancel_requested(self) -> bool:
        return self.cancel_path.exists()

    def items(self) -> list[Item]:
        try:
            recorded = read_json(self.manifest_path)["items"]
            return [_item(number, data) for number, data in enumerate(recorded, 1)]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UsageError(
                f"the manifest of batch {self.batch_id} cannot be read: {exc}", f"look at {self.manifest_path}"
            ) from None

    def options(self) -> RecordedOptions:
        """The options the batch was started with, as a resume reads them back: each checked by the rule a config
        key of its kind has, so an edited batch.json is refused in one line, not a TypeError mid-run. A batch.json
        that cannot be read at all gives the defaults, as `meta` does."""
        recorded = self.meta().get("options") or {}
        if not isinstance(recorded, dict):
            raise self._bad_options("options", "must be an object")
        given = {k: v for k, v in recorded.items() if k in RECORDED and v is not None}
        if problem := check_table(RecordedOptions, given):
            raise self._bad_options(f"options.{problem[0]}", problem[1])
        return RecordedOptions(**given)

    def _bad_options(self, name: str, problem: str) -> UsageError:
        return UsageError(
            f"batch {self.batch_id}: {name} in {self.meta_path} {problem}",
            "fix or remove that value in the file, then resume again",
        )

    def meta(self) -> dict[str, Any]:
        try:
            data = read_json(self.meta_path)
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def records(self) -> tuple[dict[int, ItemRecord], int]:
        """The latest record of each item, and how many torn or unreadable lines were skipped."""
        lines, skipped = read_json_lines(self.items_path)
        latest: dict[int, ItemRecord] = {}
        for line in lines:
            try:
                record = ItemRecord.from_dict(line)
            except TypeError:
                skipped += 1
                continue
            latest[record.item] = record
        return latest, skipped

    def snapshot(self) -> list[tuple[Item, ItemRecord | None]]:
        """Every item with where it stands now, for a screen watching a batch another process runs."""
        records, _ = self.records()
        return [(item, records.get(item.index)) for item in self.items()]

    def write(self, record: ItemRecord) -> None:
        if self._lines is None:
            self._lines = JsonLines(self.items_path)
        self._lines.write({k: v for k, v in record.__dict__.items() if v not in (None, "")}, flush=True)

    def close(self, status: str, totals: dict[str, Any]) -> None:
        if self._lines is not None:
            self._lines.close()
            self._lines = None
        meta = self.meta()
        meta.update(status=status, finished_at=now_iso(), totals=totals)
        atomic_write_json(self.meta_path, meta)
        self.release()

    def release(self) -> None:
        """Let go of the batch (closing it does; a resume refused before it ran must too, in a server that stays)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def recent(limit: int = 20) -> list[BatchTrail]:
    """Batches on record, newest first."""
    if not batches_dir().is_dir():
        return []
    found = sorted(
        (p for p in batches_dir().iterdir() if BATCH_ID.fullmatch(p.name) and (p / "manifest.json").is_file()),
        key=lambda p: p.name,
        reverse=True,
    )
    return [BatchTrail(p.name, p) for p in found[:limit]]
