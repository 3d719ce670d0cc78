"""Which section of a spec each part of it is, by meaning as well as by name.

People do not write specs to our template. They say 'Task:', 'Constraints:', 'Return:', 'Done when:', '## Deliverable',
or use no headings at all: a paragraph of context, the ask, a "Don't ..." sentence and a "Return ..." one. SECTIONS
maps every heading or label we know to the section it means (the list is explicit, so a surprising reading can be
found here); `infer` then reads a spec for the sections it states without a heading:

- goal: the ask, i.e. the first sentence of the untitled prose that asks for something ('Fix `month_end` ...', 'Can
  you redo this macro ...', 'I need the answers coded into themes'), to the end of its paragraph; else the first
  paragraph of untitled prose;
- non-goals: the sentences that bound the work ("Don't ...", "Do not ...", "No ...", "Only ...", "..., nothing
  else", "... unchanged"), outside the material, and in an Output only those that bound the work, not the answer's
  shape ('No journal entries or fix suggestions', not 'No prose');
- output: the sentence of the untitled prose (or of a Done when section, or of a Goal or Non-goals label's
  paragraph that runs on into it: 'Goal: ...\nSend me back ...') that says what comes back ('Return the
  diff and one sentence on the cause', 'Give me the dates', 'Report back with what you found', 'Keep it under 300
  words, plain prose');
- verification: a 'Done when ...' sentence;
- inputs: everything that is neither scope nor answer nor check (the goal and the untitled prose), since that is
  where such a spec states, pastes or names its material; the inputs rules judge what it names there, and the
  sections rule asks for an Inputs section only when that is the goal alone (core/checklist/sections.py).

An inferred section keeps the spec's line numbers: its body spans from its first line to its last, with the lines
that are not part of it left blank, so every rule can quote and point at the line it is about.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

SECTIONS = {
    "goal": (
        "do",
        "goal",
        "goals",
        "objective",
        "objectives",
        "aim",
        "task",
        "the task",
        "ask",
        "the ask",
        "what i need",
        "what we need",
        "what i'm after",
        "what we're after",
        "what i want",
        "what we want",
        "what i'd like",
        "what we'd like",
        "request",
        "purpose",
        "what",
        "change",
        "the change",
        "what to do",
        "job",
        "the job",
    ),
    "non-goals": (
        "non-goals",
        "non goals",
        "nongoals",
        "out of scope",
        "not in scope",
        "scope",
        "constraints",
        "rules",
        "limits",
        "restrictions",
        "guardrails",
        "boundaries",
        "don't",
        "do not",
        "don'ts",
        "must not",
        "never",
        "keep",
        "leave alone",
    ),
    "inputs": (
        "inputs",
        "input",
        "input format",
        "input formats",
        "context",
        "background",
        "files",
        "sources",
        "source",
        "data",
        "material",
        "materials",
        "attached",
        "attachments",
        "facts",
        "resources",
        "where",
        "why",
        "code",
        "test material",
        "test data",
    ),
    "output": (
        "deliver",
        "hand back",
        "output",
        "output contract",
        "output format",
        "deliverable",
        "deliverables",
        "return",
        "returns",
        "format",
        "response format",
        "answer format",
        "report back",
        "expected output",
        "what i want back",
        "result",
        "report",
        "reply",
        "what you return",
        "what to return",
        "what comes back",
        "send back",
        "hand back",
    ),
    "verification": (
        "check",
        "checks",
        "verification",
        "verify",
        "acceptance",
        "acceptance criteria",
        "tests",
        "done when",
        "definition of done",
        "success criteria",
        "checks",
        "testing",
    ),
    "escalation": (
        "escalation",
        "escalation notes",
        "escalate",
        "sign-off",
        "if in doubt",
        "if stuck",
        "if unsure",
        "if blocked",
        "when to stop",
        "stop and ask",
        "when to ask",
    ),
    "task type": ("task type", "task-type"),
    "tier": ("tier",),
}
"""Headings and labels by the section they mean ('What:' is the ask and 'Where:' the code it is in, in a brief
written as What/Where/Constraints). Constraints bound the scope, so they are non-goals; Sources,
Data, Context and Facts hold the material, so they are inputs (a Context that states the ask is read for the goal
too, when there is no other)."""
ALIASES = {alias: name for name, aliases in SECTIONS.items() for alias in aliases}
_HEADING_NAMES = tuple(
    (re.compile(pattern, re.IGNORECASE), name)
    for pattern, name in (
        (
            r"(?:what|how) (?:you|to|we|i)(?:'ll| will| should| want(?: you)? to)? (?:return|send|hand|give|report|deliver)\b|"
            r"what (?:comes|goes|i want|we want|i need|we need|(?:you|we|i)(?:'ll| will)? (?:get|give|hand|send)) back\b|(?:expected |the )?(?:outputs?|deliverables?)\b(?! (?:of|from)\b(?! (?:this|the|your) (?:task|work)\b))|"
            r"expected results?\b",
            "output",
        ),
        (
            r"(?:if|when) (?:in doubt|stuck|unsure|unclear|blocked|uncertain|something|anything|you(?:'re| are) (?:stuck|unsure))\b|"
            r"when to (?:stop|ask|check|escalate)\b|(?:stop|check) (?:and|with|before)\b|escalat",
            "escalation",
        ),
        (
            r"how (?:to|we(?:'ll| will)|you(?:'ll| will)?|i(?:'ll| will)) (?:check|verify|test|know|judge)\b|done when\b|"
            r"acceptance\b|verif",
            "verification",
        ),
        (r"out of scope\b|not in scope\b|(?:don'?t|do not|never|limits?|constraints?|boundaries|scope)\b", "non-goals"),
        (
            r"what (?:to (?:do|find|build|write|fix|change|make|produce|research|answer|look (?:for|at))|"
            r"i(?:'d| would)? (?:like|want|need)|we(?:'d| would)? (?:like|want|need)|you(?:'ll| will)? (?:do|need to do)|"
            r"needs? (?:doing|to (?:change|happen)))\b|the (?:ask|task|request|change|job)\b|(?:goal|task|ask)\b",
            "goal",
        ),
        (
            r"(?:background|context|why|situation|current (?:state|behaviou?r)|what (?:you|we) (?:have|know|get))\b",
            "inputs",
        ),
    )
)
"""A heading in the writer's own words, by what it starts with ('## What to find', '## What you return', '## If in
doubt', '## Why'): a heading is the spec's structure, so its first words say what the section is even when no
alias lists it. Labels are not read this way: a 'Format of each row:' line inside Inputs is data, not a section.
The words must name the section, not a thing it is about: '## Output of the crashing job' over a pasted traceback
is material (only 'Output of this task' is the contract), like '## Results of the last run'."""


def heading_section(name: str) -> str | None:
    """The section a heading's text names: a known alias, else the section its first words say."""
    name = name.strip().lower()
    if name in ALIASES:
        return ALIASES[name]
    if (bare := _DETAILS.sub("", name)) in ALIASES:
        return ALIASES[bare]  # '## Input (12 responses, `row|why_cancel`)': the details say what the section holds
    return next((section for pattern, section in _HEADING_NAMES if pattern.match(name)), None)


_DETAILS = re.compile(r"\s*\([^()]*\)\s*$")
_SCOPE_AND_ANSWER = ("non-goals", "output", "verification", "escalation", "task type", "tier")
"""Sections that are not material: what is left of the spec is where it states what it works on."""


@dataclass(frozen=True)
class Section:
    name: str
    line: int
    """1-based line of the heading or label (of the first line, for an inferred section)."""
    body: str
    body_line: int
    """1-based line where the body starts: the label's own line, or the one after a heading."""
    inferred: bool = False
    """Read from the prose, not under a heading of its own."""


_SENTENCE = re.compile(r"(?:^|(?<=[.!?;])\s+|(?<=[.!?][\"”)])\s+|\s+[—–]\s+)(?=\S)")
_LEAD = (
    r"^\W*(?:(?:hey|hi|ok|okay|so|and|then|also|now|finally|just|(?:when|once) (?:you(?:'re| are|'ve| have) )?"
    r"(?:done|finished)|for (?:each|every) [\w-]+|(?:in|for|on|under|within|across) [^,;:\n]{1,80}?,)(?:\b|\s)\W*)*"
    r"(?:please\s+)?"
)
"""What may open a sentence before its ask or answer: a greeting, a connective, 'When you're done, ...', 'For each
version, ...'."""
_ASK = re.compile(
    _LEAD + r"(?:(?:can|could|would|will) you\b|i(?:'d| would) like\b|i want\b|i need\b|we need\b|i'm after\b|"
    r"your (?:task|job) is\b|(?:the |my |our )?question(?: is)?:|help me\b|(?:write|add|fix|convert|summari[sz]e|draft|find|list|translate|route|match|"
    r"classify|categori[sz]e|extract|create|build|implement|make|turn|rename|apply|check|compare|explain|identify|"
    r"pick|choose|tell|give(?! (?:me|us|back)\b)|produce|generate|rewrite|redo|review|look|dig|explore|have a|do|research|investigate|compute|"
    r"calculate|design|plan|outline|propose|suggest|answer|estimate|recommend|update|upgrade|remove|delete|publish|"
    r"cut|post|send|reply|respond|migrate|port|refactor|profile|audit|improve|tidy|clean|polish|tighten|sort|"
    r"refresh|assess|evaluate|analy[sz]e|map|merge|split|dedupe|dedup|deduplicate|parse|format|normali[sz]e|"
    r"score|rank|rate|grade|tag|label|mark|flag|count|tally|group|cluster|prepare|set up|configure|install|deploy|"
    r"run|test|debug|diagnose|trace|reproduce|patch|bump|release|tag|purge|archive|move|copy|reorder|rewrite|"
    r"shorten|expand|edit|proofread|critique|summarise|brainstorm|name|title|decide|determine|figure out|work out|"
    r"go through|go over|read|scan|search|crawl|fetch|collect|gather|compile|assemble|put together|create|"
    r"schedule|book|email|message|notify|announce|verify|validate|confirm|cross-check|reconcile|total|sum|"
    r"average|forecast|model|simulate|sketch|diagram|chart|plot|visuali[sz]e|document|describe|define|specify|"
    r"see what|see if|see whether|take|deal with|handle|address|get|moderni[sz]e|streamline|simplify|optimi[sz]e|"
    r"harden|rework|revamp|overhaul|think (?:about|through|over)|let (?:me|us) know|(?:anything|whatever) "
    r"(?:you(?:['’]d| would)|we (?:should|could)) [\w ]+,\s*let (?:me|us) know)\b)(?![-‐])(?!\s+\d+\w*\s*[(:])",
    re.IGNORECASE,
)
"""A sentence that asks for something: a request ('can you', 'I need', 'Question: can ... go negative?') or an
imperative verb ('give it a refresh'; 'give me ...' says what comes back). A verb joined to a word by a hyphen is a
noun or an adjective ('Read-only.', 'a write-up'), and a verb with a number and a caption after it names an item
('Email 1 (day 0): "Welcome ..."', 'Test 3: ...'): they ask for nothing."""
_FORBID = re.compile(_LEAD + r"(?:don't|do not|never|must not|should not|shouldn't|ignore)\b", re.IGNORECASE)
_BOUND = re.compile(
    _LEAD + r"(?:no (?!one\b|longer\b|more than\b|later than\b)\w|nothing (?:else|more)\b|only\b|without\b|exclude\b|"
    r"leave\b[^.;]{1,60}? (?:alone|untouched|as is|unchanged)\b|keep\b[^.;]{1,120}? (?:unchanged|as is|intact|"
    r"(?:exactly )?as (?:given|written|they are))\b)|"
    r".*(?:[,;]\s*nothing else\b|\bno other (?:text|changes?|files?)\b|\b(?:out of scope|read-only)\b|"
    r"\bno [\w -]{1,30}? beyond\b|\bis not (?:an? )?(?:acceptable|allowed|permitted)\b)",
    re.IGNORECASE,
)
"""A sentence that bounds the work: what not to do, or what alone to do ('Don't change its signature', 'No
journal entries', 'Only US and UK numbers', 'Keep the key column unchanged', 'Keep all facts exactly as given',
'..., and no claims beyond the abstract', '... is not an acceptable source', '..., nothing else'). In an Output
section, only a prohibition or _WORK_BOUND counts."""
_ONLY = re.compile(r"[^.;!?\n]*\bonly\.(?:\s|$)", re.IGNORECASE)
"""Outside the Output and the Escalation, a sentence that ends in 'only' bounds the work too ('Standard library
only.'); in an Escalation it is a note on where the answer goes ('Internal channel only.')."""
_WORK_BOUND = re.compile(
    _LEAD + r"no (?!(?:other |more |extra |further )?(?:text|prose|explanations?|commentary|comments|preamble|intro\w*|"
    r"markdown|headers?|headings|notes|speaker notes|code fences?|formatting|quotes|bullets|emoji|blank lines|"
    r"trailing|leading|apolog\w*|caveats|summary|sign-?off)\b)\w",
    re.IGNORECASE,
)
"""In an Output section, a 'No ...' that bounds the work ('No journal entries or fix suggestions'), not the
answer's shape ('No prose', 'No explanation')."""
_ANSWER = re.compile(
    _LEAD
    + r"(?:return|reply with|respond with|answer with|give (?:me|us|back)\b|let (?:me|us) know\b|send (?:me |us )?"
    r"(?:over|across|through)\b|send (?:[\w-]+ ){1,3}?back\b|[^.;]*\bsend (?:it|them|this|that|everything) "
    r"(?:over|back|across)\b|(?:the )?format is\b|give\b[^.;]*\bnothing else|send "
    r"(?:me |us )?back|report back|hand back|write (?:it|this|them|that) up|write up\b|output\b|deliver\b|what i want back|"
    r"i want back|(?:keep|make) (?:it|the (?:answer|reply|output|response|whole thing|note|summary)|any (?:written )?"
    r"output) (?:under|below|to|within|at most|short)|(?:the|your) (?:answer|output|result|reply|response) (?:is|"
    r"should be|must be|will be)\b|tell (?:me|us)\b|write (?:(?:about|around|up to|at most|no more than|under) )?\d[\d–-]*\s*(?:words|sentences|paragraphs|"
    r"bullets|lines)\b|(?:reply|response|answer|deliverables?|returns?)\s*:\s*\S|"
    r"[^.;]*\bin (?:exactly |at most |no more than |up to )?(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten) "
    r"(?:bullet points|bullets|sentences|numbered points|short paragraphs|paragraphs)\b)",
    re.IGNORECASE,
)
"""A sentence that says what comes back, or how much of it ('Write 100–130 words in plain English', 'Send the
translations back ...', 'Put together ... and send it over'), or a label of the answer after another sentence on
its line ('... the suite passes. Response: the failing test names, one a line'), or an ask whose own sentence
counts what comes back ('Summarise the memo for the board in exactly four bullet points')."""
_CHECK = re.compile(
    _LEAD + r"(?:done when|it(?:'s| is) done when|success (?:is|means)|verify (?:that|by|with))\b", re.IGNORECASE
)
"""A sentence that says how the result is checked."""
_DATA = re.compile(r"^\s*(?:>|\|.*\|)")


@dataclass(frozen=True)
class Layout:
    """The spec's lines and which explicit section, if any, each belongs to (None: untitled prose)."""

    lines: list[str]
    owner: list[str | None]
    """Per line: the section it is in, 'title' for the title heading, or None."""
    fenced: list[bool]


def infer(layout: Layout, sections: dict[str, Section]) -> dict[str, Section]:
    """The sections the spec states in prose, for each section it has no heading or label for."""
    found: dict[str, Section] = {}
    prose = [n for n, owner in enumerate(layout.owner) if owner is None and not layout.fenced[n]]
    if "goal" not in sections and (goal := _goal(layout, prose) or _asked_under_a_heading(layout)):
        found["goal"] = goal
    if "non-goals" not in sections and (picked := _bounds(layout)):
        found["non-goals"] = _span("non-goals", layout, picked)
    checks = [
        n
        for n, owner in enumerate(layout.owner)
        if owner in ("verification", "goal", "non-goals") and not layout.fenced[n]
    ]
    for name, pattern, source in (("output", _ANSWER, prose + checks), ("verification", _CHECK, prose)):
        if name not in sections and (picked := _sentences(layout, source, pattern)):
            found[name] = _span(name, layout, _with_blocks(layout, picked))
    if "inputs" not in sections:
        answer = {
            n: text
            for name in ("output", "verification")
            if name in found
            for n, text in _texts_of(found[name]).items()
        }
        material = {
            n: _before(text, answer.get(n, ""))
            for n, text in enumerate(layout.lines)
            if layout.owner[n] not in (*_SCOPE_AND_ANSWER, "title") and _before(text, answer.get(n, "")).strip()
        }
        if material:
            found["inputs"] = _span("inputs", layout, material)
    return found


def _texts_of(section: Section) -> dict[int, str]:
    """Per 0-based line, the text an inferred section holds there."""
    return {section.body_line - 1 + n: line for n, line in enumerate(section.body.splitlines()) if line.strip()}


def _before(line: str, answer: str) -> str:
    """What of a line comes before the answer sentence it ends with: a paragraph that names its material and then
    says what comes back ('The failing example is at a.csv ... Send back a diff.') is material up to that
    sentence."""
    if not answer:
        return line
    return line[: len(line) - len(answer)] if line.endswith(answer) else ""


def _goal(layout: Layout, prose: list[int]) -> Section | None:
    """The ask, from its sentence to the end of its paragraph; else the first paragraph of untitled prose. A
    sentence inside quoted text is the material's ('"Welcome! ... Read the architecture doc ..."'), not an ask. A
    title that starts with a verb ('# Edit: feature on rural bus cuts') names the task; the ask in the prose under
    it says what to do, so titles are tried last."""
    for n in sorted(
        prose, key=lambda n: (bool(ANY_HEADING.match(layout.lines[n])), bool(_ITEM.match(layout.lines[n])))
    ):
        if _DATA.match(layout.lines[n]):
            continue
        text = _QUOTED.sub(lambda quote: " " * len(quote.group(0)), layout.lines[n])
        for start in _starts(text):
            if _ASK.match(text[start:]):
                return _paragraph(layout, n, start)
    first = next((n for n in prose if layout.lines[n].strip() and not _DATA.match(layout.lines[n])), None)
    return _paragraph(layout, first, 0) if first is not None else None


def asks_at(line: str, at: int) -> bool:
    """The sentence of the line that holds position `at` asks for something, in a clause up to it ('Write the
    customer-facing incident update; it goes out on our status page'), not one that only describes ('the
    attachment it mentions is the lease itself')."""
    return not _DATA.match(line) and any(
        _ASK.match(line[start:]) for start in _starts(line) if start <= at and not _FULL_STOP.search(line, start, at)
    )


_FULL_STOP = re.compile(r"[.!?]\s")
_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s")
"""A list item is most often the material (the steps of a process, the rows to sort: '3. Run the export by
hand'); an ask in the prose around the list is tried first."""


def _asked_under_a_heading(layout: Layout) -> Section | None:
    """With no untitled prose that asks, the first line under a heading we do not know ('### What I'd like'),
    when it asks for something: the writer's own heading for the ask. The heading's text stays with the section
    above it, so the ask is read from there."""
    for n in range(1, len(layout.lines)):
        if (
            ANY_HEADING.match(layout.lines[n - 1])
            and layout.owner[n] in ("inputs", "unknown")
            and not layout.fenced[n]
            and _ASK.match(layout.lines[n])
        ):
            return _paragraph(layout, n, 0, layout.owner[n])
    return None


ANY_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+\S")
_QUOTED = re.compile(r'"[^"\n]*"|“[^”\n]*”')


def _paragraph(layout: Layout, n: int, start: int, owner: str | None = None) -> Section:
    end = n + 1
    while end < len(layout.lines) and layout.lines[end].strip() and layout.owner[end] == owner:
        end += 1
    body = [layout.lines[n][start:], *layout.lines[n + 1 : end]]
    return Section("goal", n + 1, "".join(f"{line}\n" for line in body), n + 1, inferred=True)


def _starts(line: str) -> Iterable[int]:
    return (match.end() for match in _SENTENCE.finditer(line))


def _sentences(layout: Layout, source: list[int], pattern: re.Pattern[str]) -> dict[int, str]:
    """Per line, the text from the first sentence the pattern opens."""
    picked: dict[int, str] = {}
    for n in source:
        line = layout.lines[n]
        start = None if _DATA.match(line) else next((i for i in _starts(line) if pattern.match(line[i:])), None)
        if start is not None:
            picked[n] = line[start:]
    return picked


_BOUNDS_IN: dict[str, tuple[re.Pattern[str], ...]] = {
    "output": (_FORBID, _WORK_BOUND),
    "escalation": (_FORBID, _BOUND),
}
"""What bounds the work in a section whose sentences are mostly about something else."""


def _bounds(layout: Layout) -> dict[int, str]:
    """The lines holding a sentence that bounds the work, outside the material (an input's 'must not match' is
    data) and, but for a prohibition, outside the Output."""
    picked: dict[int, str] = {}
    for n, line in enumerate(layout.lines):
        owner = layout.owner[n]
        if layout.fenced[n] or _DATA.match(line) or owner in ("title", "inputs", "task type", "tier"):
            continue
        patterns = _BOUNDS_IN.get(owner or "", (_FORBID, _BOUND, _ONLY))
        if any(pattern.match(line[i:]) for i in _starts(line) for pattern in patterns):
            picked[n] = line
    return picked


_KEEP = re.compile(
    _LEAD + r"keep (?:the|our|my|all|every|any|each|both|its|their)\b(?![^.;]*\b(?:under|below|within|at most|"
    r"short|shorter|to \d|less than|fewer than|between|no more than)\b)",
    re.IGNORECASE,
)
"""'Keep the FOX10 code and the £40 threshold': what to leave as it is, a bound; 'Keep the summary under 100
words' is a size."""


def _with_blocks(layout: Layout, picked: dict[int, str]) -> dict[int, str]:
    """Each picked sentence that ends in a colon with the block or list it introduces ('Return exactly this
    structure:' over a code block of the structure): that block is the sentence's content."""
    out = dict(picked)
    for n in picked:
        if not layout.lines[n].rstrip().endswith(":"):
            continue
        m = n + 1
        while m < len(layout.lines) and not layout.lines[m].strip():
            m += 1
        fenced = m < len(layout.lines) and layout.fenced[m]
        while (
            m < len(layout.lines)
            and layout.owner[m] == layout.owner[n]
            and (layout.fenced[m] if fenced else bool(_BLOCK_LINE.match(layout.lines[m])))
        ):
            out[m] = layout.lines[m]
            m += 1
    return out


_BLOCK_LINE = re.compile(r"^\s*(?:>|\||[-*•]\s|\d+[.)]\s)")


def without_bounds(text: str) -> str:
    """The text without its sentences that bound the work ("Keep the FOX10 code and the £40 threshold; don't invent
    new offers"): what they name limits the work, it does not say when the work is done. All of it, if every
    sentence bounds the work ('Only translate the headings')."""
    starts = [0, *(start for start in _starts(text) if start > 0), len(text)]
    kept = [
        text[start:end]
        for start, end in itertools.pairwise(starts)
        if not any(pattern.match(text[start:end]) for pattern in (_FORBID, _BOUND, _KEEP))
    ]
    return "".join(kept) if any(piece.strip() for piece in kept) else text


def _span(name: str, layout: Layout, picked: dict[int, str]) -> Section:
    first, last = min(picked), max(picked)
    body = [picked.get(n, "") for n in range(first, last + 1)]
    return Section(name, first + 1, "".join(f"{line}\n" for line in body), first + 1, inferred=True)
