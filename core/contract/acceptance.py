"""An operator's "accept anyway" for a run whose answer broke its Output contract. The run's sealed record is never
edited: the decision is one line of the project's accepted.jsonl (who, when, why), which `show`, `status` and the
console's inbox read beside the record."""

from __future__ import annotations

from typing import Any

from core.audit.store import Project, now_iso
from core.errors import UsageError
from core.fsutil import append_json_line, read_json_lines

ACCEPTED = "accepted.jsonl"
VIOLATION = "contract_violation"
"""The reason the engine gives a run whose answer broke its Output contract."""


def accept(project: Project, run_id: str, by: str = "operator", note: str = "") -> dict[str, Any]:
    """Record that a person accepts the run's answer despite the failed checks; refused for any other run."""
    record = project.named_run(run_id)
    if record.get("reason") != VIOLATION:
        raise UsageError(
            f"run {run_id} of '{project.slug}' did not fail its Output contract (it ended {record.get('status')})",
            "accept only applies to a run whose reason is contract_violation",
        )
    failed = [c for c in (record.get("contract") or {}).get("checks", []) if c.get("passed") is False]
    entry = {"at": now_iso(), "run_id": run_id, "by": by, "note": note, "failed": [c.get("rule") for c in failed]}
    with project.lock().acquire(wait=10.0):
        append_json_line(project.logs / ACCEPTED, entry)
    return entry


def accepted(project: Project) -> dict[str, dict[str, Any]]:
    """Run id -> the latest acceptance of it."""
    rows, _ = read_json_lines(project.logs / ACCEPTED)
    return {str(row.get("run_id")): row for row in rows}
