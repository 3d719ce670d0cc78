"""Escalation: when a dispatched run falls short, send the same spec one tier up, or hand it back to the
primary with a reason. Both are recorded in the project's trail (escalations.jsonl) so the console's
inbox and a later reader see what was decided and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core import tiers as routing
from core.audit.store import Project, now_iso
from core.config import Config
from core.engine import DispatchRequest
from core.errors import UsageError
from core.fsutil import append_json_line, read_json_lines

ESCALATIONS = "escalations.jsonl"
PRIMARY = "primary"
"""The escalation target that means: the calling model (or person) takes the work back."""
_RANK = {"general": 0, "coding": 1, "agentic": 2}
"""Where the built-in tiers stand when prices do not tell them apart (free local models)."""


def ladder(config: Config) -> list[str]:
    """Tiers from the cheapest to the most capable: by their dearest model's price, then the built-in order."""
    tiers = routing.effective_tiers(config)
    order = list(tiers)

    def price(name: str) -> float:
        models = [config.models[m] for m in tiers[name].models if m in config.models]
        return max((m.price_in + m.price_out for m in models), default=0.0)

    return sorted(order, key=lambda name: (price(name), _RANK.get(name, 1), order.index(name)))


def higher_tiers(config: Config, current: str | None) -> list[str]:
    """The tiers a run on `current` can escalate to; every tier but its own when its place is unknown."""
    steps = ladder(config)
    if current in steps:
        return steps[steps.index(current) + 1 :]
    return [t for t in steps if t != current]


@dataclass(frozen=True)
class Escalation:
    """One decision about a run that fell short, as a line of escalations.jsonl."""

    run_id: str
    to: str
    """A tier name, or PRIMARY."""
    reason: str
    at: str = ""
    new_run_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at or now_iso(),
            "run_id": self.run_id,
            "to": self.to,
            "reason": self.reason,
            "new_run_id": self.new_run_id,
        }


def record(slug: str, escalation: Escalation) -> None:
    """Append one decision to the project's trail, under the project lock so lines never interleave."""
    project = Project.at(slug)
    if not project.exists():
        raise UsageError(f"no project '{slug}'", "check the slug with `dispatch list` or the audit browser")
    with project.lock().acquire(wait=10.0):
        append_json_line(project.logs / ESCALATIONS, escalation.to_dict())


def history(slug: str) -> list[Escalation]:
    """Every escalation of a project, oldest first."""
    rows, _ = read_json_lines(Project.at(slug).logs / ESCALATIONS)
    return [
        Escalation(
            run_id=r.get("run_id", ""),
            to=r.get("to", ""),
            reason=r.get("reason", ""),
            at=r.get("at", ""),
            new_run_id=r.get("new_run_id"),
        )
        for r in rows
    ]


def to_tier(config: Config, slug: str, run_id: str, tier: str, reason: str = "") -> DispatchRequest:
    """The request that re-dispatches a run's spec on a higher tier, linked to it by parent_run_id.

    The decision is recorded when the caller starts the new run (see `record`); this only builds the request.
    """
    if tier not in routing.effective_tiers(config):
        raise UsageError(f"unknown tier '{tier}'", f"escalate to one of: {', '.join(ladder(config)) or 'none'}")
    original = Project.at(slug).named_run(run_id)
    return DispatchRequest(
        spec_text=original.get("spec") or "",
        slug=slug,
        tier=tier,
        task_type=original.get("task_type"),
        kind="escalation",
        parent_run_id=run_id,
        force=bool(original.get("forced")),
        extras={"escalated_from": original.get("tier"), "escalation_reason": reason},
    )


def to_primary(slug: str, run_id: str, reason: str) -> Escalation:
    """Hand the work back to the primary: nothing is dispatched, the reason is recorded."""
    if not reason.strip():
        raise UsageError(
            "a reason is required to hand work back to the primary",
            "say what the primary must decide or do, e.g. --reason 'needs a product decision'",
        )
    Project.at(slug).named_run(run_id)
    escalation = Escalation(run_id=run_id, to=PRIMARY, reason=reason.strip(), at=now_iso())
    record(slug, escalation)
    return escalation
