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


LARGEST_COUNT = 10**9
"""Far above any real limit, and well inside what SQLite's integers and the loops' counters take."""


def _whole_number(text: str, minimum: int, maximum: int = LARGEST_COUNT, why: str = "") -> int:
    number = int(text) if text.isascii() and text.isdigit() and len(text) <= 10 else -1
    if not minimum <= number <= maximum:
        raise argparse.ArgumentTypeError(f"expected a whole number from {minimum} to {maximum}{why}, not {text!r}")
    return number
