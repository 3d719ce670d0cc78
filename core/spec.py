"""The task spec: parse its sections, check it against the dispatch checklist, print the template.

A dispatched model sees only the spec. The checklist exists to catch what would make it guess:
a missing section, an output with no format, a vague goal, or a reference to context it cannot see.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


SECTIONS = {
    "goal": ("goal", "objective"),
    "non-goals": ("non-goals", "non goals", "nongoals", "out of scope"),
    "inputs": ("inputs", "input", "context", "files", "constraints"),
    "output": ("output", "output contract", "deliverable", "deliverables"),
    "verification": ("verification", "verify", "acceptance", "acceptance criteria", "tests"),
    "escalation": ("escalation", "escalation notes", "escalate"),
    "task type": ("task type", "task-type"),
    "tier": ("tier",),
}
_ALIASES = {alias: name for name, aliases in SECTIONS.items() for alias in aliases}
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<name>[^#:]+?)\s*:?\s*#*\s*$")
_LABEL = re.compile(r"^\s*(?:\*\*)?(?P<name>[A-Za-z][A-Za-z -]{1,24}?)(?:\*\*)?\s*:(?:\*\*)?\s*(?P<rest>.*)$")

REQUIRED = ("goal", "output")
RECOMMENDED = ("non-goals", "inputs", "verification")


@dataclass
class Section:
    name: str
    line: int
    """1-based line of the heading or label."""
    body: str
    body_line: int
    """1-based line where the body starts: the label's own line, or the one after a heading."""


@dataclass
class Spec:
    text: str
    sections: dict[str, Section] = field(default_factory=dict)

    def get(self, name: str) -> str:
        section = self.sections.get(name)
        return section.body.strip() if section else ""

    @property
    def task_type(self) -> str | None:
        return _first_word_line(self.get("task type"))

    @property
    def tier(self) -> str | None:
        return _first_word_line(self.get("tier"))


def _first_word_line(value: str) -> str | None:
    value = value.strip().splitlines()[0].strip().strip("`*") if value.strip() else ""
    return value.lower() or None


def parse(text: str) -> Spec:
    """Split a Markdown spec into its known sections; unknown headings stay in the section above."""
    spec = Spec(text=text)
    bodies: dict[str, list[str]] = {}
    current: list[str] | None = None
    in_fence = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        name, rest = (None, None) if in_fence else _section_start(line)
        if name and name not in spec.sections:
            body_line = number if rest is not None else number + 1
            spec.sections[name] = Section(name=name, line=number, body="", body_line=body_line)
            current = bodies[name] = [rest] if rest else []
        elif current is not None:
            current.append(line)
    # Joined once at the end: adding each line to a growing string made a long section quadratic.
    for name, lines in bodies.items():
        spec.sections[name].body = "".join(f"{line}\n" for line in lines)
    return spec


def _section_start(line: str) -> tuple[str | None, str | None]:
    """The section a line opens, and for a label the text after it (None for a heading)."""
    if match := _HEADING.match(line):
        return _ALIASES.get(match["name"].strip().lower()), None
    if (match := _LABEL.match(line)) and (name := _ALIASES.get(match["name"].strip().lower())):
        return name, match["rest"].strip()
    return None, None


@dataclass
class Finding:
    rule: str
    severity: Severity
    line: int
    message: str
    fix: str

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "severity": str(self.severity)}

    def one_line(self, source: str = "spec") -> str:
        return f"{source}:{self.line}: {self.severity} {self.rule}: {self.message} — {self.fix}"


_FORMAT_WORDS = re.compile(
    r"\b(json|jsonl|yaml|toml|csv|tsv|markdown|md|html|xml|table|list|bullets?|code( block)?|"
    r"python|javascript|typescript|rust|go|sql|bash|shell|diff|patch|function|file|files|plain text|text|"
    r"prose|paragraphs?|sentences?|words|lines|email|report|outline|schema|numbered)\b",
    re.IGNORECASE,
)
_HIDDEN_CONTEXT = re.compile(
    r"\b(as discussed|as we discussed|as mentioned|as agreed|as before|like before|like last time|"
    r"same as before|same as last time|the file above|the code above|the above file|see chat|"
    r"see the chat|see above|from (the|our) (chat|conversation)|our (earlier|previous) conversation|"
    r"you know (what|which)|the usual way)\b",
    re.IGNORECASE,
)
_VAGUE_GOAL = re.compile(
    r"^(fix|improve|update|clean ?up|refactor|help|handle|do|make|change|optimi[sz]e|look at|check)"
    r"( (it|this|that|things|stuff|the (thing|code|issue|bug|problem)|everything))?( (up|better|work|nicer|faster))?[.!]?$",
    re.IGNORECASE,
)
_RISKY = re.compile(
    r"\b(brand|tone of voice|taste|client[- ]facing|customer[- ]facing|customers?|press release|publish|"
    r"irreversible|delete|drop (the )?(table|database)|production|deploy|migrat(e|ion)|payment|legal|"
    r"contract|policy|pricing)\b",
    re.IGNORECASE,
)
_PATHLIKE = re.compile(r"(?<![\w/.:*-])((?:\.{0,2}/)?(?:[\w.*?-]+/)+[\w.*?-]+|[\w*-]+\.(?:py|md|txt|json|toml|yaml|yml|csv|js|ts|"
                       r"rs|go|sql|html|css|sh|ini|cfg))(?![\w/])")
"""A path the Inputs section names: `src/app.py`, `./a/b`, `../x`, `/abs/path`, `main.py`, or a glob (`src/**/*.py`)."""


_BACKTICKED = re.compile(r"`([^`\n]+)`")


def input_paths(spec: Spec) -> list[tuple[int, str]]:
    """Each path or glob the Inputs section names, with its 1-based line; lines holding a URL are skipped."""
    inputs = spec.sections.get("inputs")
    if inputs is None:
        return []
    return [(inputs.body_line + offset, path.rstrip(".,;:"))
            for offset, line in enumerate(inputs.body.splitlines()) if "://" not in line
            for path in _paths_in(line)]


def _paths_in(line: str) -> list[str]:
    """The paths on one Inputs line, in order. A backticked span that is a path once its spaces are taken for
    word characters is one path, spaces and all (`docs/release notes.md`); elsewhere a space ends a path."""
    found: list[str] = []
    end = 0
    for match in _BACKTICKED.finditer(line):
        found += _PATHLIKE.findall(line[end:match.start()])
        span = match[1].strip()
        found += [span] if " " in span and _PATHLIKE.fullmatch(span.replace(" ", "_")) else _PATHLIKE.findall(span)
        end = match.end()
    return found + _PATHLIKE.findall(line[end:].replace("`", " "))


def is_glob(path: str) -> bool:
    return any(c in path for c in "*?[")


def path_exists(cwd: Path, path: str) -> bool:
    """Whether a named input is there: the file or directory, or for a glob at least one match."""
    if is_glob(path):
        return not Path(path).is_absolute() and next(cwd.glob(path), None) is not None
    return (cwd / path).exists()


MAX_SPEC_CHARS = 1_000_000
"""A longer spec is refused before any other check: no task worth dispatching needs one, and every check below
stays linear and bounded within it."""


def lint(text: str, cwd: Path | None = None, known_task_types: set[str] | None = None,
         known_tiers: set[str] | None = None) -> list[Finding]:
    """Check a spec against the dispatch checklist; findings come sorted by line."""
    if len(text) > MAX_SPEC_CHARS:
        return [Finding("too-large", Severity.ERROR, 1,
                        f"the spec has {len(text):,} characters; the limit is {MAX_SPEC_CHARS:,}",
                        "cut it down to the task itself: put large inputs in files the model can open, named "
                        "under Inputs")]
    spec = parse(text)
    findings: list[Finding] = []
    add = findings.append

    for name in REQUIRED + RECOMMENDED:
        section = spec.sections.get(name)
        severity = Severity.ERROR if name in REQUIRED else Severity.WARNING
        if section is None:
            add(Finding("missing-section", severity, 1, f"no {name.title()} section",
                        f"add a '## {name.title()}' heading or a '{name.title()}: ...' line ({_SECTION_HELP[name]})"))
        elif not _filled(section.body):
            add(Finding("empty-section", severity, section.line, f"the {name.title()} section is empty",
                        f"write {_SECTION_HELP[name]}"))

    goal = spec.sections.get("goal")
    if goal and _filled(goal.body):
        words = re.findall(r"\w+", goal.body)
        if len(words) < 5 or _VAGUE_GOAL.match(goal.body.strip()):
            add(Finding("vague-goal", Severity.ERROR, goal.line, "the goal is too vague to act on",
                        "say what to produce, about what, and for what purpose, in a full sentence"))

    output = spec.sections.get("output")
    if output and _filled(output.body) and not _FORMAT_WORDS.search(output.body):
        add(Finding("output-no-format", Severity.ERROR, output.line, "the output contract names no format",
                    "say the exact form of the answer (e.g. 'a Python code block', 'JSON with keys ...', '5 bullets')"))

    for number, line in enumerate(text.splitlines(), start=1):
        if match := _HIDDEN_CONTEXT.search(line):
            add(Finding("hidden-context", Severity.ERROR, number,
                        f"'{match.group(0)}' refers to context the model cannot see",
                        "put the facts themselves in the spec"))

    if cwd is not None:
        for number, path in input_paths(spec):
            if problem := _missing(cwd, path):
                add(Finding("missing-input", Severity.ERROR, number, f"input path '{path[:200]}' {problem} under {cwd}",
                            "fix the path, pass --cwd to the directory it is in, or paste the content into the spec"))

    if (match := _RISKY.search(text)) and not spec.get("escalation"):
        at = text.count("\n", 0, match.start()) + 1
        add(Finding("missing-escalation", Severity.ERROR, at,
                    f"'{match.group(0)}' suggests taste, client-facing or irreversible work, but there are no escalation notes",
                    "add an Escalation section saying which decisions must come back to you instead of being made"))

    if (task_type := spec.task_type) and known_task_types is not None and task_type not in known_task_types:
        add(Finding("unknown-task-type", Severity.ERROR, spec.sections["task type"].line,
                    f"unknown task type '{task_type}'", f"use one of: {', '.join(sorted(known_task_types))}"))
    if (tier := spec.tier) and known_tiers is not None and tier not in known_tiers:
        add(Finding("unknown-tier", Severity.ERROR, spec.sections["tier"].line,
                    f"unknown tier '{tier}'", f"use one of: {', '.join(sorted(known_tiers))} (see `dispatch tiers`)"))

    return sorted(findings, key=lambda f: (f.line, f.severity != Severity.ERROR, f.rule))


def _missing(cwd: Path, path: str) -> str | None:
    """Why an input path cannot be used (it does not exist, or the system refuses the name), or None."""
    try:
        return None if path_exists(cwd, path) else "does not exist"
    except (OSError, ValueError) as exc:
        return f"cannot be checked ({exc.strerror if isinstance(exc, OSError) and exc.strerror else exc})"


_SECTION_HELP = {
    "goal": "what to produce and why, in a sentence or two",
    "non-goals": "what the model must not change or attempt",
    "inputs": "the paths, data and constraints it works from",
    "output": "the exact output contract: format, length, success criteria",
    "verification": "how the result will be checked",
}


_PLACEHOLDER = re.compile(r"^\s*<[^<>]*>\s*$")


def _filled(body: str) -> bool:
    """A section counts as written once it holds something other than the template's <placeholders>."""
    return any(line.strip() and not _PLACEHOLDER.match(line) for line in body.splitlines())


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == Severity.ERROR for f in findings)


def goal_of(text: str) -> str:
    """The goal, or the first non-empty line when the spec has no Goal section."""
    spec = parse(text)
    goal = spec.get("goal")
    if goal:
        return goal
    return next((line.strip("# ").strip() for line in text.splitlines() if line.strip()), "")


def template(task_type: str | None = None) -> str:
    type_line = f"Task type: {task_type}\n" if task_type else "Task type: general\n"
    return (
        "# Task\n\n"
        f"{type_line}\n"
        "## Goal\n"
        "<What to produce, about what, and what it is for. One or two full sentences.>\n\n"
        "## Non-goals\n"
        "<What must not be changed or attempted.>\n\n"
        "## Inputs\n"
        "<Paths (relative to --cwd), data and constraints. Paste anything the model cannot open.>\n\n"
        "## Output\n"
        "<The exact contract: format (e.g. a Python code block, JSON with keys ...), length, success criteria.>\n\n"
        "## Verification\n"
        "<How the result will be checked: tests to pass, a command to run, what a reviewer looks for.>\n\n"
        "## Escalation\n"
        "<Decisions that must come back instead of being made: taste, client-facing, irreversible.>\n"
    )
