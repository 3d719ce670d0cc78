"""Costs keep two significant digits wherever they are shown: the console, the batch's progress line, budgets."""

from core.batch.runner import Totals
from core.dollars import money


def test_small_costs_keep_two_significant_digits() -> None:
    assert [money(v) for v in (None, 0.0, 0.000036, 0.001118, 0.25, 12.5)] == [
        "-",
        "$0.0000",
        "$0.000036",
        "$0.0011",
        "$0.2500",
        "$12.50",
    ]


def test_the_batch_progress_line_shows_a_small_spend() -> None:
    assert "$0.000036," in Totals(total=2, done=1, ok=1, cost_usd=0.000036).line()
