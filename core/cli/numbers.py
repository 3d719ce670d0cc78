"""The argparse types of every count and limit flag, shared by the dispatching and the read-only commands."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def positive_int(text: str) -> int:
    """The argparse type of every count and limit flag: a whole number of at least 1."""
    return _whole_number(text, 1)


def positive_up_to(maximum: int, why: str) -> Callable[[str], int]:
    """The argparse type of a count flag with a lower ceiling than LARGEST_COUNT; `why` says where it comes from."""

    def check(text: str) -> int:
        return _whole_number(text, 1, maximum, f" ({why})")

    return check


def positive_or_zero(text: str) -> int:
    return _whole_number(text, 0)


def usd(text: str) -> float:
    """The argparse type of --max-cost, and the MCP batch tool's check of its max_cost: a finite amount of USD,
    zero or more (NaN would pass any `>= 0` test and then never cross the cap)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected an amount of USD, zero or more, not {text!r}")
    return value


LARGEST_COUNT = 10**9
"""Far above any real limit, and well inside what SQLite's integers and the loops' counters take."""


def _whole_number(text: str, minimum: int, maximum: int = LARGEST_COUNT, why: str = "") -> int:
    number = int(text) if text.isascii() and text.isdigit() and len(text) <= 10 else -1
    if not minimum <= number <= maximum:
        raise argparse.ArgumentTypeError(f"expected a whole number from {minimum} to {maximum}{why}, not {text!r}")
    return number
