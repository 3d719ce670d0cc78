"""Size checks: "3 bullets", "at most 30 words", "under 200 characters", "one sentence", "5-8 items", "each bullet
at most 12 words", "a subject line under 72 characters"."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable

from core import pattern_cache
from core.contract import formats
from core.contract.check import Check, Verdict
from core.contract.reply import Reply

_NUMBER_WORDS = {
    "one": 1, "single": 1, "a single": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
}  # fmt: skip
_NUMBER = r"(?:\d[\d,]*|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
_UNIT = (
    r"(?P<unit>bullet points?|bullets?|points?|lines?|items?|entries|entry|elements?|objects?|sentences?|words?|"
    r"paragraphs?|characters?|chars?|rows?|steps?|options?|questions?|ideas?|examples?|reasons?|names?|tips?|"
    r"suggestions?|titles?|headlines?|tags?|findings?|risks?|recommendations?)"
)
_SIZE = pattern_cache.compile(
    r"\b(?P<cmp>exactly|at most|no more than|not more than|up to|a maximum of|max(?:imum)?|under|fewer than|"
    r"less than|below|at least|a minimum of|min(?:imum)?|no fewer than|between)?\s*"
    rf"(?P<low>{_NUMBER})(?:\s*(?:-|–|to|and)\s*(?P<high>{_NUMBER}))?[\s-]+(?:\w+[\s-]+)?{_UNIT}\b"
    r"(?:,?\s+(?P<post>at most|or fewer|or less|max(?:imum)?|tops|at the most|or more|at least|minimum)\b"
    rf"(?!\s*(?:{_NUMBER})\b))?",
    re.IGNORECASE,
)
"""'at most 30 words', '3 bullets', '5-8 items', 'one-line', 'three short bullets' (one adjective may stand between),
'two sentences at most', '3 examples or more'."""
_EACH = pattern_cache.compile(
    r"\b(?:each|every|per)\s+(?P<scope>bullet|point|line|item|sentence|row|entry|step|paragraph)s?\b", re.I
)
_EACH_OF_THEM = pattern_cache.compile(
    r"\b(?:each|every one|apiece)\b(?:\s+(?:of them|one))?[\s,]*(?:(?:is|has|with|of|in)\s+)?$", re.I
)
"""'3 bullets, each at most 12 words': the limit is on each of the units just counted."""
_POST = {
    **dict.fromkeys(("at most", "or fewer", "or less", "max", "maximum", "tops", "at the most"), "at most"),
    **dict.fromkeys(("or more", "at least", "minimum"), "at least"),
}
"""A comparator after the count ('two sentences at most') as the one before it would be said."""
_RATE = pattern_cache.compile(r"\s+(?:per|a|an|for each|on each)\s+\w+", re.I)
"""'one object per line': a rate, not a total."""
_FIRST = pattern_cache.compile(r"\b(?:subject line|first line|title|headline|summary line)\b", re.IGNORECASE)
_NOT_SIZE = pattern_cache.compile(
    r"\b(?:line \d|lines? \d+\s*(?:-|to)\s*\d+ of|\d+ lines? of (?:the|this|context))", re.I
)
"""'line 3', 'lines 10-20 of the file': places, not sizes."""


def number(text: str) -> int:
    text = text.lower().strip()
    return _NUMBER_WORDS[text] if text in _NUMBER_WORDS else int(text.replace(",", ""))


def _singular(unit: str) -> str:
    unit = unit.lower().removesuffix("s")
    return {"bullet point": "bullet", "char": "character", "entrie": "entry"}.get(unit, unit)


def _json_items(reply: Reply) -> list[object] | None:
    try:
        value = json.loads(reply.payload)
    except formats.UNREADABLE:
        return None
    return value if isinstance(value, list) else None


Counter = Callable[[Reply], list[str]]


def _counter(unit: str) -> tuple[Counter, str]:
    """What a unit counts in a reply (as the pieces counted) and the name it is shown with."""
    if unit == "word":
        return (lambda r: Reply.words(r.payload)), "words"
    if unit == "character":
        return (lambda r: list(r.payload)), "characters"
    if unit == "sentence":
        return (lambda r: r.sentences() if r.prose else r.sentences(r.payload)), "sentences"
    if unit == "line":
        return (lambda r: r.lines), "lines"
    if unit == "paragraph":
        return (lambda r: r.paragraphs), "paragraphs"
    if unit == "bullet":
        return (lambda r: r.bullets or r.numbered), "bullets"
    if unit == "row":
        return (lambda r: r.lines[2:] if len(r.lines) > 1 and set(r.lines[1]) <= set("|-: ") else r.lines[1:]), "rows"

    def items(reply: Reply) -> list[str]:
        values = _json_items(reply)
        if values is not None:
            return [json.dumps(v) for v in values]
        return reply.list_items or reply.lines

    return items, f"{unit}s"


def _scoped(scope: str | None, first: bool) -> Callable[[Reply], list[str]]:
    """The texts a per-piece limit applies to: each bullet/line/..., the first line, or the whole answer."""
    if first:
        return lambda r: r.lines[:1]
    if scope is None:
        return lambda r: [r.payload]
    counter, _ = _counter(_singular(scope))
    return counter


def _bounds(cmp: str, low: int, high: int | None) -> tuple[int, float, str]:
    cmp = cmp.lower()
    if high is not None:
        return low, high, f"{low} to {high}"
    if cmp in ("at most", "no more than", "not more than", "up to", "a maximum of", "max", "maximum"):
        return 0, low, f"at most {low}"
    if cmp in ("under", "fewer than", "less than", "below"):
        return 0, low - 1, f"fewer than {low}"
    if cmp in ("at least", "a minimum of", "min", "minimum", "no fewer than"):
        return low, math.inf, f"at least {low}"
    return low, low, f"exactly {low}"


def derive(phrase: str) -> list[Check]:
    if _NOT_SIZE.search(phrase):
        phrase = _NOT_SIZE.sub(" ", phrase)
    checks: list[Check] = []
    counted: str | None = None
    for match in _SIZE.finditer(phrase):
        if _RATE.match(phrase, match.end()):
            continue
        unit = _singular(match["unit"])
        low, high, wanted = _bounds(
            _POST.get((match["post"] or "").lower(), match["cmp"] or ""),
            number(match["low"]),
            number(match["high"]) if match["high"] else None,
        )
        before = phrase[: match.start()]
        each = _EACH.search(before) or (_EACH.search(phrase[match.end() :]) if unit in ("word", "character") else None)
        first = bool(_FIRST.search(before)) and unit in ("word", "character")
        scope = each["scope"] if each and unit in ("word", "character", "sentence") else None
        if scope is None and counted and unit in ("word", "character", "sentence") and _EACH_OF_THEM.search(before):
            scope = counted
        counted = unit
        checks.append(Check(f"size:{unit}", match.group(0).strip(), _size_test(unit, low, high, wanted, scope, first)))
    return checks


def _size_test(
    unit: str, low: int, high: float, wanted: str, scope: str | None, first: bool
) -> Callable[[Reply], Verdict]:
    counter, name = _counter(unit)
    pieces = _scoped(scope, first)
    where = f"each {scope}" if scope else "the first line" if first else None

    def test(reply: Reply) -> Verdict:
        for index, piece in enumerate(pieces(reply), start=1):
            counted = len(counter(Reply(piece))) if where else len(counter(reply))
            if not low <= counted <= high:
                place = f"{scope} {index} has" if scope else f"{where} has" if where else "has"
                return False, f"{place} {counted} {name}, {wanted} asked"
        shown = name.removesuffix("s") if wanted.endswith(" 1") else name
        return True, f"{wanted} {shown}" + (f" in {where}" if where else "")

    return test
