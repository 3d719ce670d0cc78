"""Output-contract specificity: the Output section must say what shape the answer takes.

A contract names a shape ("a JSON array", "one Python code block", "three bullets", "one word: positive,
negative or neutral", "a commit"), a size, or the values allowed. "Whatever works", "the answer", "a report",
"your thoughts" name none, so the contractor picks one and the delegator cannot check it. A contract that names
a shape in words no check can be drawn from ("a commit on the branch") is a warning: the answer will run
unchecked (what can be checked mechanically is core/contract's business).
"""

from __future__ import annotations

import re
from pathlib import Path

from core import pattern_cache
from core.checklist import prose
from core.checklist.prose import Line
from core.spec import Finding, Severity, Spec

_OPEN = pattern_cache.compile(
    r"\b(?:whatever(?: [\w']+){0,3}|as appropriate|as you see fit|up to you|your call|any (?:format|form|way)|"
    r"something (?:good|nice|useful|decent)|the usual(?: \w+)?|(?:a |some )?(?:nice|good|great) (?:\w+ )?"
    r"(?:write-?up|summary|answer|version|list|overview)|let me know(?: [\w']+){0,4}|the more the better|"
    r"of some kind|in some form|however (?:it |you |they )?(?:makes? sense|seems? (?:best|right|sensible|fit)|see fit|"
    r"think (?:best|fit)|like|want|prefer|works?|fits?)|as (?:much|little)(?: \w+)? as (?:(?:it |you )?(?:feels?|seems?|"
    r"think|find)\b|you (?:like|want|need|see fit)|(?:is )?(?:needed|necessary|appropriate|useful))|"
    r"as (?:long|short|detailed|brief|thorough) as (?:(?:it |you )?(?:feels?|seems?|think)\b|you (?:like|want)|"
    r"(?:is )?(?:needed|necessary|appropriate|useful)))\b",
    re.IGNORECASE,
)
"""Words that hand the shape or the size back to the contractor ('as much detail as feels right')."""
_SHAPE = pattern_cache.compile(
    r"\b(?:json|jsonl|yaml|toml|csv|tsv|xml|html|markdown|table|tables|(?:code )?block|regex|regular expression|"
    r"diff|patch|commit|commits|bullets?|list|heading|headings|lines?|sentences?|paragraphs?|words?|integer|"
    r"number|numbers|float|decimals?|percent(?:age)?|boolean|true or false|yes or no|subject line|body|"
    r"plain text|array|object|mapping|columns?|rows?|keys?|fields?|items?|steps?|questions?|names?|options|"
    r"(?:tag|url|id|letter|email|reply|post|tweet|message|page|file|function|script|query|statement)s?|class(?:es)?|"
    r"sections?|chart|svg|png|pdf|slides?|only|nothing else|format(?:ted)? as|\d+-hour)\b|"
    r"\b(?-i:[A-Z]{1,4}(?:[:./-][A-Z]{1,4})+)\b",
    re.IGNORECASE,
)
"""A shape, a unit of size or a container; with a generic noun alone ('a report') there is none."""
_SOME = pattern_cache.compile(
    r"\b(?:some|a few|several|a number of|a bunch of|a handful of) (?:[\w-]+ )?(?:questions|ideas|suggestions|options|"
    r"examples|items|points|bullets|sentences|paragraphs|names|titles|tips|headlines|taglines|slogans|prompts|"
    r"exercises|variants|versions|alternatives)\b",
    re.IGNORECASE,
)
"""Items counted by an indefinite ('Send back some questions I can use'): the shape is named, how many is not."""
_COUNT = pattern_cache.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|dozen|single|pair)\b",
    re.IGNORECASE,
)
_VALUES = pattern_cache.compile(
    r"\bone of\b|:\s*\w+(?:,\s*\w+)+,? or \w+|\"[^\"]+\" or \"[^\"]+\"|\b\w+ or \w+, lowercase", re.IGNORECASE
)
"""Allowed values: 'one of ...', 'One word: positive, negative or neutral', '"move" or "stay"'."""


def check(spec: Spec, cwd: Path | None = None) -> list[Finding]:
    section = spec.sections.get("output")
    if section is None:
        if opened := _open_answer(spec):
            return [_vague(opened[0].number, opened[1].group(0), "leaves the shape of the answer to the model")]
        return [] if shape_stated(spec) else _unstated(spec)
    lines = [line for line in prose.lines(section) if line.text.strip()]
    if not lines:
        return []
    for line in lines:
        if match := _OPEN.search(line.text):
            return [_vague(line.number, match.group(0), "leaves the shape of the answer to the model")]
    body = section.body
    if (some := _SOME.search(prose.text_of(section))) and not _COUNT.search(prose.text_of(section)):
        line = next(line for line in lines if some.group(0) in line.text)
        return [_vague(line.number, some.group(0), "leaves how many to the model")]
    if _SHAPE.search(prose.text_of(section)) or _VALUES.search(body) or prose.has_data(section):
        return _unchecked(lines[0], body, cwd)
    first = lines[0]
    return [_vague(first.number, first.text.strip(), "names no shape, size or allowed values")]


def shape_stated(spec: Spec) -> Line | None:
    """With no Output section, the first line of the goal or the prose that states a shape a check can be drawn
    from ('List each one as `path:line — fix`, at most 20 lines', '- Under 80 words'): the contract is stated,
    under whatever heading the writer chose (a Requirements list under the ask)."""
    from core import contract

    ask = _ask(spec)
    for name in ("goal", "inputs"):
        section = spec.sections.get(name)
        if section is None or (name == "inputs" and not section.inferred):
            continue
        for line in prose.lines(section):
            if line.data or not line.text.strip():
                continue
            text = line.text.split(". ", 1)[1] if line.number in ask and ". " in line.text else line.text
            if line.number in ask and text is line.text:
                continue
            if contract.derive(text).checkable or _SHOWN_AS.search(text):
                return line
    return None


_OPEN_ANSWER = pattern_cache.compile(
    r"\b(?:return|returns|give|gives|output|outputs|produce|produces|hand back|send back)\s+(?:back\s+)?"
    r"(?:something|anything|some (?:kind|sort|form) of)\b[^.;]*|"
    r"\b(?:give|tell|send|share)(?: (?:me|us))? (?:your|a|some) (?:quick |honest |overall )?(?:take|takes|thoughts|"
    r"views?|opinions?|impressions?|two cents|gut feel(?:ing)?)\b[^.;]*|\btell (?:me|us) what you think\b[^.;]*",
    re.IGNORECASE,
)
"""With no Output section, what comes back named by an indefinite ('It should return something indicating whether
it's valid') or as an opinion ('give me your take on each one'): the prose says an answer comes back and hands
its shape to the model ('tell me what you think is going on'), unless the same sentence names one ('your take on each, as one line: keep or close')."""


def _open_answer(spec: Spec) -> tuple[Line, re.Match[str]] | None:
    for name in ("goal", "inputs"):
        for line in prose.lines(spec.sections.get(name)):
            if line.data:
                continue
            for match in _OPEN_ANSWER.finditer(line.text):
                if not _SHAPE.search(match.group(0)) and not _VALUES.search(match.group(0)):
                    return line, match
    return None


_SHOWN_AS = pattern_cache.compile(
    r"\b(?:show|present|format|lay out|put|give|return|list|write|answer|reply)\b[^.;]{0,40}?\b(?:as|in|into|with)\b"
    r"[^.;]{0,30}?\b(?:table|json|csv|list|code block|bullets?|markdown|yaml)\b",
    re.IGNORECASE,
)
"""An answer's shape in other words: 'Show both as a small table', 'Put the results in a JSON object'."""


def _ask(spec: Spec) -> set[int]:
    """The line of the ask itself, the goal's first: a size in its first sentence ('Translate the two sentences
    below') says what to work on, not what comes back; a later sentence on that line may state the shape."""
    first = next((line for line in prose.lines(spec.sections.get("goal")) if line.raw.strip()), None)
    return {first.number} if first else set()


def _unstated(spec: Spec) -> list[Finding]:
    """A spec written as prose (its goal read from the ask) that never says what comes back: the ask is all the
    contractor has to guess the answer's shape from, so the finding quotes it. A spec with headings and no Output
    is the sections rule's."""
    goal = spec.sections.get("goal")
    first = next((line for line in prose.lines(goal) if line.text.strip()), None) if goal and goal.inferred else None
    if first is None:
        return []
    return [_vague(first.number, first.text.strip(), "says what to do, and nothing says what to hand back")]


def _unchecked(line: Line, body: str, cwd: Path | None) -> list[Finding]:
    from core import contract

    if contract.derive(body, cwd=cwd).checkable:
        return []
    return [
        prose.finding(
            "unchecked-output",
            line.number,
            line.text.strip(),
            "names no format, size or allowed values a check can be drawn from, so the answer will not be checked",
            "add one: a format (JSON with keys a, b; one Python code block), a size (at most 5 bullets) or the "
            "allowed values (one of: yes, no); `dispatch lint` lists the checks it derives",
            Severity.WARNING,
        )
    ]


def _vague(line: int, quote: str, message: str) -> Finding:
    return prose.finding(
        "vague-output",
        line,
        quote,
        message,
        "say the exact shape: e.g. 'JSON with keys a, b', 'one Python code block', 'at most 5 "
        "bullets', 'one word: yes or no'",
    )
