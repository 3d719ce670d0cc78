"""Dispatches the engine refused before anything ran: checklist errors, or a task type that is never offloaded.

A refusal has no run and no project, so no project's trail holds it (and the projects folder stays untouched).
One append-only file in the state folder does, so the console's inbox shows refusals from any process (an
agent's `--no-ui` call too) and after a restart. Writing and reading are best effort: the caller must hear the
refusal even when the disk is full, and the console must open even when the file cannot be read.
"""

from __future__ import annotations

from typing import Any

from core import paths
from core.audit.store import now_iso
from core.fsutil import append_json_line, read_json_lines

FILE = "refusals.jsonl"
ERROR_CAP = 500


def record(slug: str, task_type: str | None, kind: str, error: str) -> None:
    """Append one refusal; an OSError is swallowed because the refusal itself already reached its caller."""
    try:
        paths.state_dir().mkdir(parents=True, exist_ok=True)
        entry = {"at": now_iso(), "slug": slug, "task_type": task_type, "kind": kind, "error": error[:ERROR_CAP]}
        append_json_line(paths.state_dir() / FILE, entry)
    except OSError:
        pass


def recent(limit: int = 20) -> list[dict[str, Any]]:
    """The newest refusals, newest first."""
    try:
        rows, _ = read_json_lines(paths.state_dir() / FILE)
    except OSError:
        return []
    return rows[-limit:][::-1]
