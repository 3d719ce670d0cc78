"""Hard-wrapped prose joined back into the lines it was, so each rule reads a sentence whole.

Many people write specs in an editor that wraps at 72 or 100 columns: 'gets pasted into Customer.io and sent to' on
one line and 'every billing contact on the active customer list' on the next. The rules read a line at a time, so a
sentence cut in two hid its act from its audience. A line is joined to the one before it when that one is prose
cut mid-sentence (long, not ending in a stop or a colon) and it carries on the sentence (unindented, starting in
lower case or with a number); lists, headings, quotes, tables, code and labels stay as they are. Each joined line
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
_ENDED = re.compile(r"(?:[.!?:;]|\s{2})$")
_GOES_ON = re.compile(r"^[a-z0-9(\"“'$`]")


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
    in_fence = joinable = False
    for number, raw in enumerate(text.splitlines(), 1):
        fence = raw.strip().startswith(_FENCE)
        if joinable and not fence and not _NOT_PROSE.match(raw) and _GOES_ON.match(raw):
            starts[-1].append((len(out[-1]) + 1, number))
            out[-1] += " " + raw
        else:
            out.append(raw)
            starts.append([(0, number)])
        in_fence ^= fence
        joinable = not in_fence and not fence and _cut_by_an_editor(raw)
    return Unwrapped("\n".join(out) + ("\n" if text.endswith("\n") else ""), starts)


def _cut_by_an_editor(raw: str) -> bool:
    """The physical line is prose that reached the wrap width and stopped mid-sentence."""
    return len(raw) >= _WRAPPED_AT and not _NOT_PROSE.match(raw) and not _ENDED.search(raw)
