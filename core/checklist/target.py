"""Who will read the spec: a stateless model, a web-research loop or an agent in a repository.

What counts as a sufficient input depends on it (see sufficiency.py), so the checklist is told, and the engine
and `dispatch lint` work it out the same way: from the route the spec would take.
"""

from __future__ import annotations

from enum import StrEnum

from core.config import Config
from core.errors import DispatchError


class Target(StrEnum):
    STATELESS = "stateless"
    WEB = "web"
    AGENT = "agent"

    @property
    def noun(self) -> str:
        return {"stateless": "stateless model", "web": "web-research run", "agent": "agent"}[self.value]


def target_of(
    config: Config,
    text: str,
    *,
    model: str | None = None,
    tier: str | None = None,
    task_type: str | None = None,
    mode: str = "chat",
) -> Target:
    """The reader the spec would reach: web for a web run, agent when the route's first model edits files, else a
    stateless model (also when there is no route yet: the strictest reading of the inputs)."""
    if mode == "web":
        return Target.WEB
    from core import spec, tiers
    from core.backends import backend_for

    parsed = spec.parse(text)
    try:
        route = tiers.resolve(
            config, model=model, tier=tier, task_type=task_type, spec_tier=parsed.tier, spec_task_type=parsed.task_type
        )
        first = config.model(route.models[0]) if route.models else None
        return Target.AGENT if first is not None and backend_for(first).edits_files else Target.STATELESS
    except DispatchError:
        return Target.STATELESS
