"""What a rule reads of a spec: its prose, with the data taken out, line by line.

Quoted text, block quotes, tables and code blocks are data the spec hands over (a customer's "as discussed" is not the
spec referring to a discussion), so every rule reads the prose around them. Each masked span becomes `"…"`, so a
rule can still see that something was given there.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from core import pattern_cache
from core.spec import Finding, Section, Severity, Spec

DATA = '"…"'
HOST = pattern_cache.compile(
    r"(?:www\.)?(?:[a-z0-9-]+\.)+(?:org|com|net|io|dev|gov|edu|info|ai|app|co|uk|de|eu)/", re.IGNORECASE
)
"""A path under a host name ('python.org/downloads', 'unicode.org/cldr/charts/latest/plural_rules.html'): a URL
written without its scheme, not a file."""
_QUOTED = pattern_cache.compile(r'"[^"\n]*"|“[^”\n]*”')
_MIN_QUOTED_WORDS = 4
"""A shorter quote is a name ("Q3 board pack", "Save changes"), read as prose; a longer one is text handed over."""
_QUOTED_PHRASE = pattern_cache.compile(r'^["“](?:the|a|an|as|our|this|that|see)\s', re.IGNORECASE)
"""A short quote that starts with its determiner ("the attached PDF") is a phrase mentioned, not a name: a name
is quoted bare ('the "Q3 board pack"')."""
_CODE_SENTENCE = pattern_cache.compile(r"`((?:[^`\s]+\s+){3,}[^`\s]*[.!?])`")
"""A sentence in backticks (`Format as discussed in the attached file.`) is quoted text, like a long quote; a
command or a name in backticks is read as prose."""
_FENCE = ("```", "~~~")
_TABLE_ROW = pattern_cache.compile(r"\|.*\||[^|`\n]+(?: \| [^|`\n]*){2,}(?<!:)$")
"""A Markdown table row, or a row of three or more cells split by ' | ' without the outer pipes ('C01 | FIGMA |
45.00 | design seats'): data, like a code block. Not a caption that names the columns ('Data (id | merchant |
memo):') nor a backticked shape."""


@dataclass(frozen=True)
class Line:
    number: int
    """1-based line in the spec."""
    text: str
    """The line with its quoted spans replaced by `"…"`; a code or quote line is DATA alone."""
    data: bool
    """The line is a code block line, a block quote or a table row: nothing but data."""
    raw: str = ""
    """The line as written."""


def lines(section: Section | None) -> list[Line]:
    """The section body's lines as prose."""
    if section is None:
        return []
    out: list[Line] = []
    in_fence = False
    literal = section.name == "inputs" and not section.inferred and _LITERAL_BLOCK.match(section.body) is not None
    for offset, raw in enumerate(section.body.splitlines()):
        number = section.body_line + offset
        stripped = raw.strip()
        if literal and offset:
            out.append(Line(number, DATA if stripped else "", bool(stripped), raw))
        elif stripped.startswith(_FENCE):
            in_fence = not in_fence
            out.append(Line(number, DATA, True, raw))
        elif in_fence or stripped.startswith(">") or _TABLE_ROW.match(stripped):
            out.append(Line(number, DATA, True, raw))
        else:
            out.append(Line(number, without_quotes(_CODE_SENTENCE.sub(DATA, raw).replace("`", " ")), False, raw))
    return out


_LITERAL_BLOCK = pattern_cache.compile(r"\s*[|>][-+]?\s*\n")
"""Inputs written as a YAML literal block ('input: |' over the indented comments): the lines under it are the text
itself, handed over as a code block's are."""


def without_quotes(raw: str) -> str:
    """The line with each quoted text handed over (not a short name) replaced by `"…"`."""
    return _QUOTED.sub(_mask, raw)


def _mask(match: re.Match[str]) -> str:
    quote = match.group(0)
    return DATA if len(quote.split()) >= _MIN_QUOTED_WORDS or _QUOTED_PHRASE.match(quote) else quote


def introduces_data(lines: list[Line], index: int) -> bool:
    """The line ends in a colon and the next non-blank line is a code block, a quote or a list: it captions what
    is pasted there ('Ticket PAY-412, as filed:', 'The script, /opt/jobs/backup.sh:', 'Content of the issue:' over
    the items of the newsletter, 'Notes (...):' over the notes in quotes). Each listed item is still read for what
    it names."""
    if not lines[index].text.rstrip().endswith(":"):
        return False
    after = next((lines[n] for n in range(index + 1, len(lines)) if lines[n].raw.strip()), None)
    return after is not None and (after.data or after.text.strip() == DATA or bool(_LIST_ITEM.match(after.raw)))


def introduces_block(lines: list[Line], index: int) -> bool:
    """The line ends in a colon over a code block, a quote or a table: what it names is pasted there. A list after
    it is more prose about the work, not a file's content."""
    if not lines[index].text.rstrip().endswith(":"):
        return False
    after = next((lines[n] for n in range(index + 1, len(lines)) if lines[n].raw.strip()), None)
    return after is not None and after.data


def is_list(lines: list[Line]) -> bool:
    """Two or more of the lines are list items ('- 2026-03-29 01:30', '2) the refund'): they list material."""
    return sum(bool(_LIST_ITEM.match(line.raw)) for line in lines) >= 2


_LIST_ITEM = pattern_cache.compile(r"^\s*(?:[-*•]|\d+[.)])\s+\S")


class Pointers:
    """Where the section's prose points at material with a demonstrative ('Turn these notes into stories', 'From
    this data, compute ...', 'the following tickets') over data pasted after it: that is the thing, handed over,
    and a later 'the notes' is the same thing.

    Indexed once per section, by each word a demonstrative could point at (one of the three words after it, or
    the start of one up to a word boundary, with a plural 's' or without): asked once per Inputs line and per
    kind of reference, a scan of every line per question made a long section quadratic."""

    def __init__(self, lines: list[Line]) -> None:
        self._mentions: dict[str, list[str]] = {}
        last = max((index for index, line in enumerate(lines) if line.data), default=-1)
        for line in lines[: max(last, 0)]:
            if not line.data:
                self._index(line.text.lower())

    def _index(self, text: str) -> None:
        for demonstrative in _DEMONSTRATIVE.finditer(text):
            for word in itertools.islice(_WORD.finditer(text, demonstrative.end()), 3):
                for end in range(word.start() + 1, min(word.end(), word.start() + _MAX_HEAD) + 1):
                    if _boundary(text, end):
                        mention = text[demonstrative.start() : end]
                        self._mentions.setdefault(text[word.start() : end], []).append(mention)
                        if text[end - 1] == "s" and end - 1 > word.start():
                            self._mentions.setdefault(text[word.start() : end - 1], []).append(mention)
                if not _FILLER.fullmatch(word.group(0)):
                    break

    def at(self, head: str, phrase: str = "") -> bool:
        """A line points at material of this kind (`head`, lower case) over data. A demonstrative inside the
        reference itself (`phrase`: 'the version of this analysis Ines circulated') points at nothing else."""
        inside = phrase.lower()
        return any(not (inside and mention in inside) for mention in self._mentions.get(head, ()))


_DEMONSTRATIVE = pattern_cache.compile(r"\b(?:this|these|the following)\s+")
_WORD = pattern_cache.compile(r"\S+")
_FILLER = pattern_cache.compile(r"[\w-]+")
"""A word between the demonstrative and the thing ('these raw sales notes'); anything else ends the phrase."""
_MAX_HEAD = 64
"""Longest head word indexed: a head is one word, and a long token after 'this' (a pasted path) stays linear."""
_WORD_CHAR = pattern_cache.compile(r"\w")


def _boundary(text: str, end: int) -> bool:
    """A word boundary (regex `\\b`) at `end`, which follows at least one character."""
    before = bool(_WORD_CHAR.match(text, end - 1))
    return before != (end < len(text) and bool(_WORD_CHAR.match(text, end)))


def text_of(section: Section | None) -> str:
    """The section's prose joined into one string (data spans as `"…"`)."""
    return "\n".join(line.text for line in lines(section))


def has_data(section: Section | None) -> bool:
    return any(line.data or DATA in line.text for line in lines(section))


def search(pattern: re.Pattern[str], spec: Spec, names: tuple[str, ...]) -> Iterator[tuple[Line, re.Match[str]]]:
    """Every match of `pattern` in the prose of the named sections, in spec order."""
    for name in names:
        for line in lines(spec.sections.get(name)):
            if not line.data:
                for match in pattern.finditer(line.text):
                    yield line, match


def runs_there(before: str) -> bool:
    """Whether the words before a place say what someone runs there ('the runtimes we run in production'): where
    software is deployed, not material kept there nor a change made to it."""
    return bool(_RUNS_THERE.search(before))


_RUNS_THERE = pattern_cache.compile(
    r"\b(?:we|they|you|i|that|which) (?:run|runs|use|uses|have|has|deploy|deploys|host|hosts|serve|serves)\s+$",
    re.IGNORECASE,
)


def finding(rule: str, line: int, quote: str, message: str, fix: str, severity: Severity = Severity.ERROR) -> Finding:
    """A finding that quotes the phrase it is about: `'quote' message`."""
    quote = " ".join(quote.split())[:120]
    return Finding(rule, severity, line, f"'{quote}' {message}", fix, quote=quote)
