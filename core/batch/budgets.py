"""Spending caps: what a dispatch will probably cost before it is sent, and whether that fits.

A single run is refused before anything is sent when its estimate is over `[budgets] run`, or would take
today's spend (every run of the UTC day, from the index) over `day`, or its project's over `project`. A batch
keeps its own ledger on top: it stops launching once what it spent, plus the estimates of what is in flight,
plus the next item's estimate would cross its cap (`--max-cost`, else `[budgets] batch`).

The estimate is deliberately high: the prompt's tokens as core/tokens.py estimates them (the one estimator, a safe
upper bound, that also refuses a prompt over a model's context) as input, and the model's `max_tokens` (else
ESTIMATED_OUTPUT) as output, at the model's prices. A model without prices estimates at zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from core import tokens
from core.config import Config, ModelConfig
from core.dollars import money
from core.errors import DispatchError, ExitCode

ESTIMATED_OUTPUT = 1000
"""Output tokens assumed for a model with no max_tokens."""


class BudgetExceeded(DispatchError):
    """A run refused before sending because its estimate does not fit a cap (exit 2, with the numbers)."""

    exit_code = ExitCode.USAGE
    reason = "budget"


def estimate_tokens(model: ModelConfig, prompt: str) -> tuple[int, int]:
    return tokens.estimate(prompt, model), model.max_tokens or ESTIMATED_OUTPUT


def estimate_cost(model: ModelConfig, prompt: str) -> float:
    return model.cost(*estimate_tokens(model, prompt))


def today() -> str:
    """The UTC day the index's started_at values begin with."""
    return datetime.now(UTC).date().isoformat()


def check_run(config: Config, model: ModelConfig, prompt: str, slug: str) -> None:
    """Refuse one run whose estimate would cross `[budgets] run`, `day` or `project`; reads the index only
    when a day or project cap is set."""
    caps = config.budgets
    estimate = estimate_cost(model, prompt)
    if caps.run is not None and estimate > caps.run:
        raise BudgetExceeded(
            f"this run is estimated at {money(estimate)} on {model.name}, over the per-run budget of {money(caps.run)}",
            "raise [budgets] run in config.toml, or pick a cheaper model",
        )
    if caps.day is None and caps.project is None:
        return
    from core.audit.index import Index

    with Index.open(check=False) as index:
        day_spent = index.spent(since=today()) if caps.day is not None else 0.0
        project_spent = index.spent(slug=slug) if caps.project is not None else 0.0
    if caps.day is not None and day_spent + estimate > caps.day:
        raise BudgetExceeded(
            f"today's spend {money(day_spent)} + this run's estimate {money(estimate)} would cross the "
            f"daily budget of {money(caps.day)}",
            "raise [budgets] day, or wait for tomorrow (UTC)",
        )
    if caps.project is not None and project_spent + estimate > caps.project:
        raise BudgetExceeded(
            f"project '{slug}' has spent {money(project_spent)}; with this run's estimate "
            f"{money(estimate)} it would cross its budget of {money(caps.project)}",
            "raise [budgets] project in config.toml",
        )


@dataclass
class Ledger:
    """A batch's running account: what finished items spent and what running items are estimated at."""

    cap: float | None = None
    """The batch's own cap (--max-cost, else [budgets] batch)."""
    run_cap: float | None = None
    day_cap: float | None = None
    day_spent: float = 0.0
    """Spent today before the batch started (from the index)."""
    project_cap: float | None = None
    project_spent: dict[str, float] = field(default_factory=dict)
    spent: float = 0.0
    in_flight: dict[int, tuple[str, float]] = field(default_factory=dict)

    @classmethod
    def for_batch(cls, config: Config, max_cost: float | None, slugs: set[str]) -> Ledger:
        caps = config.budgets
        ledger = cls(
            cap=max_cost if max_cost is not None else caps.batch,
            run_cap=caps.run,
            day_cap=caps.day,
            project_cap=caps.project,
        )
        if caps.day is not None or caps.project is not None:
            from core.audit.index import Index

            with Index.open(check=False) as index:
                ledger.day_spent = index.spent(since=today()) if caps.day is not None else 0.0
                if caps.project is not None:
                    ledger.project_spent = {slug: index.spent(slug=slug) for slug in slugs}
        return ledger

    @property
    def committed(self) -> float:
        return self.spent + sum(estimate for _, estimate in self.in_flight.values())

    def refusal(self, slug: str, estimate: float) -> str | None:
        """Why an item with this estimate may not start now (None: it may)."""
        if self.run_cap is not None and estimate > self.run_cap:
            return f"estimated {money(estimate)}, over the per-run budget of {money(self.run_cap)}"
        if self.cap is not None and self.committed + estimate > self.cap:
            return (
                f"spent {money(self.spent)} + in flight {money(self.committed - self.spent)} + this item's "
                f"{money(estimate)} would cross the batch budget of {money(self.cap)}"
            )
        if self.day_cap is not None and self.day_spent + self.committed + estimate > self.day_cap:
            return f"today's spend would cross the daily budget of {money(self.day_cap)}"
        if self.project_cap is not None:
            project = self.project_spent.get(slug, 0.0) + sum(e for s, e in self.in_flight.values() if s == slug)
            if project + estimate > self.project_cap:
                return f"project '{slug}' would cross its budget of {money(self.project_cap)}"
        return None

    def start(self, key: int, slug: str, estimate: float) -> None:
        self.in_flight[key] = (slug, estimate)

    def settle(self, key: int, cost: float | None) -> None:
        slug, _ = self.in_flight.pop(key, ("", 0.0))
        self.spent += cost or 0.0
        if slug:
            self.project_spent[slug] = self.project_spent.get(slug, 0.0) + (cost or 0.0)
