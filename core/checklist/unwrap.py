"""Hard-wrapped prose joined back into the lines it was, so each rule reads a sentence whole.

Many people write specs in an editor that wraps at 72 or 100 columns: 'gets pasted into Customer.io and sent to' on
one line and 'every billing contact on the active customer list' on the next. The rules read a line at a time, so a
sentence cut in two hid its act from its audience. A line is joined to the one before it when that one is prose
cut mid-sentence (long, not ending in a stop or a colon) and it carries on the sentence (unindented, starting in
lower case, with a number or with a name; a list item's tail indented under its text); lists, headings, quotes,
tables, code and keys stay as they are. Each joined line
remembers where its pieces came from, so a finding still names the line its phrase is on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WRAPPED_AT = 50
"""A line shorter than this ended where its writer ended it ('Hi team,'), not where an editor wrapped it."""
_FENCE = ("```", "~~~")
_NOT_PROSE = re.compile(r"^\s*(?:#|>|\||[-*•+]\s|\d+[.)]\s|```|~~~)|^\s")
"""Headings, quotes, tables, list items, fences and indented lines: structure, never a wrapped sentence's tail."""
_ITEM = re.compile(r"^(\s*)(?:[-*•+]|\d+[.)])\s+\S")
"""A list item, whose wrapped tail an editor indents under its text ('- A reservation blocks new jobs ...' over
'  those stay queued ...')."""
_ENDED = re.compile(r"(?:[.!?:;]|\s{2})$")
_GOES_ON = re.compile(r"^[a-z0-9(\"“'$`]")
_NAMES_GO_ON = re.compile(r"^(?:[A-Z][\w.'’-]*|I)(?: [a-z\d]|[,.'’]| [A-Z][\w.'’-]*[ ,])")
"""A wrapped line may open with a name ('Friday's OAC meeting', 'J. Okafor, MR = ...', 'AL to confirm'): a
capitalised word the sentence carries on after, in lower case or with another name, not a heading's Title Case."""
_KEY = re.compile(r"^[a-z][\w -]{0,30}:(?:\s|$)", re.IGNORECASE)
"""A line that opens with a key ('deliver: diff only', 'if unsure: ...'): a field of its own, as a brief written as
keys and values has one a line."""


@dataclass(frozen=True)
class Unwrapped:
    text: str
    starts: list[list[tuple[int, int]]]
    """For each line of `text`, the (character offset, 1-based original line) of each piece joined into it."""

    def line_of(self, line: int, quote: str) -> int:
        """The original line that a finding on `line` of the joined text, quoting `quote`, is on."""
        pieces = self.starts[line - 1] if 0 < line <= len(self.starts) else [(0, line)]
        joined = self.text.splitlines()[line - 1] if len(pieces) > 1 else ""
        at = joined.find(quote) if quote else -1
        return max((number for offset, number in pieces if offset <= at), default=pieces[0][1])


def unwrap(text: str) -> Unwrapped:
    out: list[str] = []
    starts: list[list[tuple[int, int]]] = []
    in_fence = False
    tail: str | None = None
    """How the next line must start to carry on the one before: unindented after prose, indented under a list
    item's text; None when the line before ended where its writer ended it."""
    for number, raw in enumerate(text.splitlines(), 1):
        fence = raw.strip().startswith(_FENCE)
        if tail is not None and not fence and _carries_on(raw, tail):
            starts[-1].append((len(out[-1]) + 1, number))
            out[-1] += " " + raw.strip()
        else:
            out.append(raw)
            starts.append([(0, number)])
        in_fence ^= fence
        tail = None if in_fence or fence else _cut_by_an_editor(raw, tail)
    return Unwrapped("\n".join(out) + ("\n" if text.endswith("\n") else ""), starts)


def _cut_by_an_editor(raw: str, tail: str | None) -> str | None:
    """The indent a line's wrapped tail would have: a list item's (its text's column), or none for prose that reached
    the wrap width and stopped mid-sentence; None when nothing can carry the line on."""
    if item := _ITEM.match(raw):
        return " " * (len(item.group(0)) - 1)  # the indent is the writer's own sign that the item goes on
    if tail and raw.startswith(tail):
        return tail  # a list item's tail, wrapped again
    if len(raw) < _WRAPPED_AT or _ENDED.search(raw):
        return None
    return "" if not _NOT_PROSE.match(raw) else None


def _carries_on(raw: str, tail: str) -> bool:
    """The line continues the sentence above: its indent is the tail's, and it starts in lower case or a number."""
    text = raw[len(tail) :] if raw.startswith(tail) else None
    if text is None or not text[:1].strip() or _KEY.match(text) or _ITEM.match(text):
        return False
    if tail:
        return True  # under a list item's text: its indent says the item goes on, whatever the case
    return not _NOT_PROSE.match(raw) and (_GOES_ON.match(text) is not None or _NAMES_GO_ON.match(text) is not None)
