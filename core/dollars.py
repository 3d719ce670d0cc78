"""How a cost reads, in one place so the CLI, the budgets' refusals and the console agree."""

from __future__ import annotations

import math


def money(value: float | None) -> str:
    """Dollars with at least two significant digits: a run that cost $0.000036 must not read $0.0000."""
    if value is None:
        return "-"
    if value >= 1:
        return f"${value:,.2f}"
    digits = 4 if value <= 0 or value >= 0.001 else 1 - math.floor(math.log10(value))
    return f"${value:.{digits}f}"
