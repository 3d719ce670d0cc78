"""The kinds of value a config key may hold, declared as data, and the one loop that checks a table against them.

A key's rule travels in its dataclass field (`key(rule, default)`), so the dataclass is the table: its type,
its range and what to tell the user are written once, and `check_table` reads them for every section alike.
A rule's `problem()` says what is wrong in words that follow the key's dotted name ("must be zero or more, not
-1"), or None when the value is fine.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import MISSING, dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class Rule:
    """A value of one of `types` (a bool is never a number), described to the user as `expects`."""

    expects: str
    types: tuple[type, ...]

    def problem(self, value: object) -> str | None:
        if isinstance(value, bool) and bool not in self.types or not isinstance(value, self.types):
            return f"has the wrong type ({type(value).__name__}): it must be {self.expects}"
        return self.check(value)

    def check(self, value: Any) -> str | None:
        """What is wrong with a value of the right type, or None."""
        return None


@dataclass(frozen=True)
class Text(Rule):
    """A string; optionally one of `choices` (a tuple, or a function giving them when they can grow), or one
    that `valid` accepts (it returns what is wrong, or None)."""

    expects: str = "a string"
    types: tuple[type, ...] = (str,)
    choices: tuple[str, ...] | Callable[[], Iterable[str]] | None = None
    valid: Callable[[str], str | None] | None = None

    def check(self, value: str) -> str | None:
        if self.choices is not None:
            choices = tuple(self.choices if isinstance(self.choices, tuple) else self.choices())
            if value not in choices:
                return f"must be one of {', '.join(choices)}, not {value!r}"
        return self.valid(value) if self.valid else None


@dataclass(frozen=True)
class Number(Rule):
    """An int or float at least `minimum` (at most `maximum`), or above `above`; finite unless `infinite` (inf
    meaning "no limit")."""

    expects: str = "a number"
    types: tuple[type, ...] = (int, float)
    minimum: float | None = None
    above: float | None = None
    infinite: bool = False
    maximum: float | None = None

    def check(self, value: float) -> str | None:
        if math.isnan(value) or math.isinf(value) and not self.infinite:
            return f"must be {self.expects if self.infinite else 'a finite number'}, not {value}"
        if (
            self.minimum is not None
            and value < self.minimum
            or self.above is not None
            and value <= self.above
            or self.maximum is not None
            and value > self.maximum
        ):
            return f"must be {self.expects}, not {value}"
        return None


@dataclass(frozen=True)
class Strings(Rule):
    """A list of strings; `nonempty` when at least one is needed."""

    expects: str = "a list of strings"
    types: tuple[type, ...] = (list,)
    nonempty: bool = False

    def check(self, value: list[Any]) -> str | None:
        if not all(isinstance(item, str) for item in value) or self.nonempty and not value:
            return f"must be {self.expects}"
        return None


@dataclass(frozen=True)
class Patterns(Strings):
    """A list of regular expressions, each compiled as the redactor compiles it."""

    expects: str = "a list of regular expressions (strings)"

    def check(self, value: list[Any]) -> str | None:
        from core.redact import compile_pattern

        if problem := super().check(value):
            return problem
        for pattern in value:
            try:
                compiled = compile_pattern(pattern)
            except Exception as exc:  # noqa: BLE001 - the regex library raises its own error type for a bad pattern
                return f"has {pattern!r}, which is not a valid regular expression ({exc})"
            if compiled.search("") is not None:
                return (
                    f"has {pattern!r}, which matches empty text: it would mask between every two characters "
                    "of every answer (write what a secret looks like, e.g. 'tok_[A-Za-z0-9]{20,}')"
                )
        return None


AGE_UNITS = {"h": 3600, "d": 86400, "w": 7 * 86400}


def parse_age(text: str) -> float | None:
    """Seconds in an age such as 90d, 12h or 2w; None when it is not one. A float, so an age of more digits than
    int() converts is still one (infinitely old: it matches no run) rather than a ValueError."""
    number, unit = text[:-1], text[-1:]
    if not number.isascii() or not number.isdigit() or unit not in AGE_UNITS:
        return None
    return float(number) * AGE_UNITS[unit]


TEXT = Text()
AGE = Text(
    "an age such as 90d, 12h or 2w",
    valid=lambda value: (
        None if parse_age(value) is not None else f"must be an age such as 90d, 12h or 2w, not {value!r}"
    ),
)
ZERO_OR_MORE_WHOLE = Number("a whole number, zero or more", (int,), minimum=0)
FLAG = Rule("true or false", (bool,))
TABLE = Rule("a table", (dict,))
POSITIVE = Number("positive", (int, float), above=0)
WHOLE = Number("a positive whole number", (int,), minimum=1)
ZERO_OR_MORE = Number("zero or more", (int, float), minimum=0)
SECONDS = Number("a positive number of seconds", (int, float), above=0, infinite=True)
"""A timeout: inf means none."""
DEEP_MODE = Text(choices=("warn", "error"))
"""`[lint] deep`: whether the model's contractor questions stay warnings or refuse the spec."""


def key(rule: Rule, default: Any = MISSING) -> Any:
    """A dataclass field that config files may set, checked by `rule`; a list or dict default is copied per
    instance, and no default makes the key required."""
    metadata = {"rule": rule}
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata=metadata)
    return field(default=default, metadata=metadata)


def rules(section: type) -> dict[str, Rule]:
    """The keys a config file may set in `section` (a dataclass), with their rules, in declaration order."""
    return {f.name: f.metadata["rule"] for f in fields(section) if "rule" in f.metadata}


def required(section: type) -> list[str]:
    return [
        f.name
        for f in fields(section)
        if "rule" in f.metadata and f.default is MISSING and f.default_factory is MISSING
    ]


def check_table(section: type, raw: dict[str, Any]) -> tuple[str, str] | None:
    """The first (key, what is wrong) in `raw` by `section`'s rules, or None; keys without a rule are the
    caller's to judge (unknown, or backend options)."""
    table = rules(section)
    for name in required(section):
        if name not in raw:
            return name, f"is required ({table[name].expects})"
    for name, value in raw.items():
        if name in table and (problem := table[name].problem(value)):
            return name, problem
    return None
