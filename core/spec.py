"""The task spec: parse its sections, name its input paths, print the template.

A dispatched model sees only the spec. The checklist that catches what would make it guess (a missing section,
an output with no contract, a vague goal, a reference to context it cannot see) is core/checklist; `lint` here
is its front door.
"""

from __future__ import annotations

import functools
import re
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

from core import spec_sections
from core.spec_sections import ALIASES
from core.spec_sections import Section as Section


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<name>[^#:]+?)\s*:?\s*#*\s*$")
_LABEL = re.compile(
    r"^\s*(?:[-*•]\s+)?(?:\*\*)?(?P<name>[A-Za-z][A-Za-z' -]{1,24}?)(?:\s*\([^()\n]{1,60}\)|,\s*[\w-]+(?:\s+[\w-]+){0,2})?(?:\*\*)?\s*:(?:\*\*)?\s*(?P<rest>.*)$"
)
"""A label line: 'Goal: ...', '**What I need:** ...', 'Inputs (analyst notes, pasted):', 'Output, markdown:', or a
list item of a brief written as labelled bullets ('- Task: ...', '- Verify: ...')."""
_BULLET = re.compile(r"^\s*[-*•]\s")
_TITLE = re.compile(r"^\s{0,3}#\s+\S")
_PROSE_START = re.compile(r"^\s{0,3}(?![-*•>|\s]|```|~~~|\d+[.)]\s)\S")
"""A line that starts a paragraph of prose: not a list item, a quote, a table row, a fence or indented text."""


@dataclass(frozen=True)
class Spec:
    """A parsed spec; frozen, because `parse` hands the same one to every caller that asks about the same text."""

    text: str
    sections: dict[str, Section] = field(default_factory=dict)

    def get(self, name: str) -> str:
        section = self.sections.get(name)
        if section is None:
            return ""
        body = section.body.strip()
        return "\n".join(line for line in body.splitlines() if line.strip()) if section.inferred else body

    @property
    def task_type(self) -> str | None:
        return _first_word_line(self.get("task type"))

    @property
    def tier(self) -> str | None:
        return _first_word_line(self.get("tier"))


def _first_word_line(value: str) -> str | None:
    """The name a Task type or Tier line gives, without what the writer added after it ('coding. Python 3.11,
    stdlib only.', 'general (a summary)')."""
    value = value.strip().splitlines()[0].strip().strip("`*") if value.strip() else ""
    return _NAME_ENDS.split(value, 1)[0].strip().strip("`*").lower() or None


_NAME_ENDS = re.compile(r"[.,;(]\s|\s[(—–-]\s?|[.;,]$|\s\(")


@functools.lru_cache(maxsize=64)
def parse(text: str) -> Spec:
    """Split a Markdown spec into its sections: those under a known heading or label (core/spec_sections.py lists
    them), then those it states in prose (`spec_sections.infer`). Under a heading, unknown headings stay in the
    section above; a label's section ends at a blank line before a new paragraph of prose. Kept for the last few
    texts: a run asks about its spec four times (route, inputs, goal, contract), a batch item once more as it is
    planned, and the items of a batch often share one."""
    lines = _setext_as_atx(text.splitlines())
    starts: dict[str, tuple[int, int]] = {}
    bodies: dict[str, list[str]] = {}
    owner: list[str | None] = []
    fenced: list[bool] = []
    current: str | None = None
    labelled = in_fence = bulleted = False
    untitled = True
    title = next((n for n, line in enumerate(lines) if line.strip()), None)
    title = title if title is not None and _is_title(lines[title]) else None
    for index, line in enumerate(lines):
        fence = line.lstrip().startswith(("```", "~~~"))
        if fence:
            in_fence = not in_fence
        name, rest = (None, None) if in_fence or index == title else _section_start(line)
        if name == "goal" and rest and _TITLE.match(line) and not any(lines[:index]) and not _asks(rest):
            name = None  # '# Task: parse_vintage helper (Rust)' names the task; the ask is in the prose under it
        if name and _BULLET.match(line) and current is not None and not bulleted:
            # An item of a section's list ('- Format: CSV' under Inputs) is its data, unless the brief itself is a
            # list of labelled items.
            name = None
        if name and name not in starts:
            bulleted = bool(_BULLET.match(line))
            starts[name] = (index + 1, index + 1 if rest is not None else index + 2)
            current, labelled, untitled = name, rest is not None, True
            bodies[name] = [rest] if rest else []
            owner.append(name)
        else:
            if (
                current is not None
                and labelled
                and not in_fence
                and _ends_label(lines, index, current, bodies[current])
            ):
                current = None
            if current is None and not in_fence and index != title and _HEADING.match(line):
                # Text under a heading we do not know is titled, not untitled prose: it is no inferred goal.
                untitled = False
            if current is not None:
                bodies[current].append(line)
            owner.append("title" if index == title else current or (None if untitled else "unknown"))
        fenced.append(in_fence or fence)
    # Joined once at the end: adding each line to a growing string made a long section quadratic.
    sections = {
        name: Section(name, line, "".join(f"{piece}\n" for piece in bodies[name]), body_line)
        for name, (line, body_line) in starts.items()
    }
    inferred = spec_sections.infer(spec_sections.Layout(lines, owner, fenced), sections)
    return Spec(text, {**sections, **inferred})


_UNDERLINE = re.compile(r"^\s{0,3}(?:={3,}|-{3,})\s*$")
_PLAIN_LINE = re.compile(r"^\s{0,3}(?![-*•>|#]|```|~~~|\d+[.)]\s)\S")


def _setext_as_atx(lines: list[str]) -> list[str]:
    """Setext headings ('Goal' over '====', 'Inputs' over '----') and bare ones (_bare_heading) as the '#' headings
    they are, the underline left blank, so every spelling of a heading opens the same section and every line keeps
    its number."""
    out = list(lines)
    in_fence = False
    for index, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if (
            not in_fence
            and index + 1 < len(lines)
            and _UNDERLINE.match(lines[index + 1])
            and _PLAIN_LINE.match(line)
            and (index == 0 or not lines[index - 1].strip() or _UNDERLINE.match(lines[index - 1]))
        ):
            out[index] = ("# " if lines[index + 1].strip()[0] == "=" else "## ") + line.strip()
            out[index + 1] = ""
        elif not in_fence and _bare_heading(lines, index):
            out[index] = "## " + line.strip()
    return out


def _bare_heading(lines: list[str], index: int) -> bool:
    """A line that is only a section's name, capitalised, after a blank line and over text ('Output' over the line
    that says what comes back): a heading in a plain-text spec, as a setext one is without its underline."""
    line = lines[index].strip()
    return (
        index + 1 < len(lines)
        and bool(lines[index + 1].strip())
        and (index == 0 or not lines[index - 1].strip())
        and line[:1].isupper()
        and line.lower() in ALIASES
    )


def _is_title(line: str) -> bool:
    """The first line, as a level-1 heading, titles the spec ('# Task', '# Fix the crash'), unless it names a
    section ('# Goal')."""
    match = _HEADING.match(line)
    return bool(
        _TITLE.match(line)
        and match
        and ALIASES.get(match["name"].strip().lower(), "goal") in ("goal", None)
        and match["name"].strip().lower() not in ("goal", "goals", "objective")
    )


def title(text: str) -> Section | None:
    """The spec's title ('# Run migration 0042 on production') as a section of its one line, or None: it names
    the task, as the ask in the prose under it does."""
    lines = text.splitlines()
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first is None or not _is_title(lines[first]):
        return None
    return Section("title", first + 1, lines[first].lstrip().lstrip("#").strip() + "\n", first + 1)


def _ends_label(lines: list[str], index: int, name: str, body: list[str]) -> bool:
    """A label's section, once it has said something, ends at a blank line before a new paragraph of prose; a
    task type or a tier is its label's line alone."""
    if name in ("task type", "tier"):
        return True
    if lines[index].strip() or index + 1 >= len(lines) or not any(piece.strip() for piece in body):
        return False
    after = lines[index + 1]
    return bool(_PROSE_START.match(after)) and not _section_start(after)[0]


def unlabelled(line: str) -> str:
    """The line without the label of the section it opens ('Goal: Group the answers ...'): a label's colon
    introduces no data."""
    name, rest = _section_start(line)
    return rest if name and rest is not None else line


def section_heading(line: str) -> bool:
    """The line is a heading or a bare label that opens a section ('## What I need', 'What I need:'): a name, not
    prose."""
    name, rest = _section_start(line)
    return name is not None and not rest


def _asks(text: str) -> bool:
    return spec_sections.asks_at(text, len(text))


def _section_start(line: str) -> tuple[str | None, str | None]:
    """The section a line opens, and for a label the text after it (None for a heading)."""
    if match := _HEADING.match(line) or _BOLD_LINE.match(line):
        return spec_sections.heading_section(match["name"]), None
    unhashed = _HASHES.sub("", line, count=1)
    for label in (_LABEL, _BOLD_SENTENCE_LABEL):
        if (match := label.match(unhashed)) and (name := ALIASES.get(match["name"].strip().lower())):
            return name, match["rest"].strip()
    return None, None


_BOLD_SENTENCE_LABEL = re.compile(r"^\s*(?:[-*•]\s+)?\*\*(?P<name>[A-Za-z][A-Za-z' -]{1,24}?)\.\*\*\s*(?P<rest>.*)$")
"""A bold label that ends in a full stop, run in with its text as a paragraph's lead-in: '**Ask.** Help us ...'."""
_BOLD_LINE = re.compile(r"^\s{0,3}(?:\*\*|__)(?P<name>[^*_\n]{1,40}?)\s*:?\s*(?:\*\*|__)\s*:?\s*$")
"""A line that is only bold text ('**Inputs**', '__Done when:__') is a heading, as writers use it."""
_HASHES = re.compile(r"^\s{0,3}#{1,6}\s+")
"""A heading that is also a label ('## Goal: fix parse_date ...') opens the label's section with its text."""


@dataclass
class Finding:
    rule: str
    severity: Severity
    line: int
    message: str
    fix: str
    quote: str = ""
    """The phrase of the spec the finding is about, as it stands there (empty when it is about the whole spec)."""

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "severity": str(self.severity)}

    def one_line(self, source: str = "spec") -> str:
        return f"{source}:{self.line}: {self.severity} {self.rule}: {self.message} — {self.fix}"


PATHLIKE = re.compile(
    r"(?<![\w/.:*%-])((?:\.{0,2}/)?(?:[\w.*?-]+/)+(?:[\w.*?-]+|(?![\w/]))|[\w*-]+\.(?:py|md|txt|json|toml|yaml|yml|csv|js|ts|"
    r"rs|go|sql|html|css|sh|ini|cfg|tf|tfvars|hcl|rb|java|kt|cpp|hpp|cs|php|swift|xml|conf|env|log|proto|jsx|tsx|vue|scss|lua|"
    r"ipynb|dart|gradle|lock|j2|tpl))(?![\w/])"
)
"""A path the Inputs section names: `src/app.py`, `./a/b`, `../x`, `/abs/path`, `main.py`, a directory
(`db/migrations/`), or a glob (`src/**/*.py`); not a format code's letter (`%d/%b/%Y` is a date format)."""
NOT_A_PATH = re.compile(
    r"[A-Za-z]+/[A-Za-z]|[A-Z][a-z]+(?:/[A-Z][A-Za-z_]+)+|(?i:and/or|n/a|i/o|w/o|tcp/ip|yes/no|true/false|on/off|read/write|"
    r"either/or|km/h|mb/s|gb/s)|\d[\d.,]*/[^.]*|\d[\d.]*(?:/\d[\d.]*)+"
)
"""A unit, a pair of words, a time zone, a rate or versions that PATHLIKE would take for a path: 'Mbit/s',
'and/or', 'Europe/Berlin', '24.95/month', 'Python 3.11/3.12'."""
_ACTION_REF = re.compile(r"[\w.-]+/[\w.-]+(?:@[\w.-]+)?")
_ACTIONS = re.compile(r"\buses:|@[\w.-]+|\bactions/|\b(?:workflow|github actions?)\b", re.IGNORECASE)
"""A GitHub Actions reference ('uses: actions/checkout@v4', `owner/repo@ref`, 'the `actions/setup-python`
version the job uses') names an action, not a file."""
_WORD_PAIR = re.compile(r"[\w-]+(?:/[\w-]+)+")
"""Names joined by slashes, with no file extension ('GNU/Linux', 'emails/month', 'method/path/protocol'): prose,
unless it is backticked or marked as a path ('./bin/run', 'db/migrations/')."""
_ROUTE = re.compile(r"\b(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+`?(/[^\s`]+)")
"""A path after an HTTP method is an API route ('POST /v1/auth/legacy'), not a file."""
_PATH_LIST_WORDS = 3
"""At most this many words beside its paths, a line lists inputs ('`a.py` and `/srv/b.py`', '- /srv/app.py (the
entry point)'); a longer one describes the system, and an absolute path in it is a place the task is about."""
_WORD = re.compile(r"[A-Za-z]\w*")
_EXTENSION = re.compile(r"\.\w+$")
_BACKTICKED = re.compile(r"`([^`\n]+)`")


def input_paths(spec: Spec) -> list[tuple[int, str]]:
    """Each path or glob the Inputs section names as an input, with its 1-based line.

    Not inputs: paths in code blocks, block quotes and quoted text (data handed over), on a line holding a URL,
    on a line that captions the block after it ('The script, /opt/jobs/backup.sh:'; a list after it is not the
    file: 'Rules, confirmed against the rows in fixtures/broken.csv:' over the rules), an API route, and an
    absolute path in a sentence that is not on this machine ('the job runs /opt/jobs/backup.sh nightly'): that
    is a place on the machine the task is about, which dispatch could not read, not a file to send."""
    from core.checklist import prose

    lines = prose.lines(spec.sections.get("inputs"))
    made = made_paths(spec)
    found: list[tuple[int, str]] = []
    for index, line in enumerate(lines):
        if line.data or "://" in line.raw or prose.introduces_block(lines, index):
            continue
        raw = prose.without_quotes(line.raw)
        paths = paths_in(raw)
        if any(path.startswith("/") for path in paths):
            listed = len(_WORD.findall(PATHLIKE.sub(" ", raw))) <= _PATH_LIST_WORDS
            routes = {route.rstrip(".,;:") for route in _ROUTE.findall(raw)}
            paths = [
                path for path in paths if not path.startswith("/") or ((listed or _here(path)) and path not in routes)
            ]
        found += [(line.number, path) for path in paths if path not in made]
    return found


def goal_material_paths(spec: Spec) -> list[tuple[int, str]]:
    """The paths a Goal section of its own names as material to read, with their 1-based lines: each after a word
    of reading ('following the rules in docs/specs/signup.md', 'from data/in.csv'), not one it makes ('Put them in
    tests/test_sku.py') nor a bare name a command it asks for works on ('the IPs in `access.log`').
    (A goal read from the prose is in the inferred Inputs already.)"""
    from core.checklist import prose

    goal = spec.sections.get("goal")
    if goal is None or goal.inferred:
        return []
    found = []
    for line in prose.lines(goal):
        if line.data:
            continue
        made = _made_on(line.raw)
        for path in paths_in(line.raw):
            at = line.raw.find(path)
            if "/" in path and path not in made and at >= 0 and _READ_FROM.search(line.raw, max(0, at - 40), at):
                found.append((line.number, path))
    return found


_READ_FROM = re.compile(
    r"\b(?:in|from|per|following|see|using|read|reads|open|according to|based on|described in|listed in)\s+`?$",
    re.IGNORECASE,
)


def made_paths(spec: Spec) -> set[str]:
    """In a spec with no Inputs section, the paths its prose says the task makes: each one after a verb of making
    in its sentence ('Write `tools/cert_check.py`: ...', '... writes `reports/out.csv`'), wherever else it is named
    (the command that will run the new script)."""
    from core.checklist import prose

    inputs = spec.sections.get("inputs")
    if inputs is None or not inputs.inferred:
        return set()
    return {path for line in prose.lines(inputs) for path in _made_on(line.raw)}


def _made_on(raw: str) -> set[str]:
    """The paths a line names after a verb of making in their sentence."""
    made: set[str] = set()
    for sentence in _SENTENCE_END.split(raw):
        for verb in _MADE.finditer(sentence):
            made.update(paths_in(_READS.split(sentence[verb.end() :])[0]))
    return made


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_READS = re.compile(r"\b(?:reads?|reading|loads?|calls?|from|using|uses|in|of|with|that|which)\b", re.IGNORECASE)
"""Where what is made ends and what it reads begins: 'Write `a.py` that reads `b.csv`'."""


_MADE = re.compile(
    r"\b(?:(?:put|write|save|add) (?:\w+ ){0,3}?(?:in|into|to)|create (?:\w+ ){0,3}?(?:in|into)|write|writes|create|creates|produce|produces|"
    r"generate|generates|save|saves|add(?= `?[\w./-]+\.\w)|into|new)\b",
    re.I,
)
"""In prose with no Inputs section, a path after a verb of making ('Write `tools/cert_check.py`', '... writes
`reports/out.csv`', 'Put them in tests/test_sku.py', 'Write pytest tests in `tests/test_x.py` driven by ...', 'Add
tests in tests/test_export.py', 'Add `tests/test_y.py`') is what the task makes, not material it reads; 'Add tests
for `etl/sku.py`' reads the module it tests."""


def _here(path: str) -> bool:
    """An absolute path that exists on this machine is the user's file, however the sentence names it."""
    try:
        return Path(path).exists()
    except (OSError, ValueError):
        return False


def paths_in(line: str) -> list[str]:
    """The paths on one line, in order, without trailing punctuation, units ('Mbit/s'), word pairs ('and/or',
    'GNU/Linux'), rates ('24.95/month') or time zones. A backticked span that is a file name or a glob once its
    spaces are taken for word characters is one path, spaces and all (`docs/release notes.md`); any other
    backticked span with spaces is a command, whose arguments are read like prose (`kubectl rollout restart
    deploy/resizer` names no file); elsewhere a space ends a path."""
    found: list[str] = []
    end = 0
    for match in _BACKTICKED.finditer(line):
        found += _unmarked(PATHLIKE.findall(line[end : match.start()]))
        span = match[1].strip()
        if " " not in span:
            found += PATHLIKE.findall(span)
        elif (
            not _COMMAND.match(span)
            and PATHLIKE.fullmatch(span.replace(" ", "_"))
            and (_EXTENSION.search(span) or is_glob(span))
        ):
            found.append(span)
        else:
            found += _unmarked(PATHLIKE.findall(span))
        end = match.end()
    found += _unmarked(PATHLIKE.findall(line[end:].replace("`", " ")))
    cleaned = [path.rstrip(".,;:") for path in found]
    # The line is searched for actions once, not once per path: 30,000 paths on a line made that quadratic.
    actions = any(_ACTION_REF.fullmatch(path) for path in cleaned) and _ACTIONS.search(line) is not None
    return [
        path for path in cleaned if not NOT_A_PATH.fullmatch(path) and not (actions and _ACTION_REF.fullmatch(path))
    ]


_COMMAND = re.compile(
    r"(?:sudo\s+)?(?:python3?|pytest|py\.test|bash|sh|zsh|node|npm|npx|yarn|pnpm|deno|go|cargo|make|kubectl|"
    r"kubeconform|helm|terraform|docker|podman|git|ruff|mypy|black|flake8|pylint|eslint|prettier|tsc|jest|vitest|"
    r"uv|pip3?|poetry|tox|nox|jq|yq|cat|less|head|tail|wc|grep|rg|sed|awk|sort|diff|ls|cd|rm|cp|mv|chmod|touch|"
    r"find|curl|wget|psql|mysql|sqlite3|dbt|ruby|rake|bundle|rspec|java|mvn|gradle|dotnet|php|composer|shellcheck|"
    r"ansible-playbook|systemctl|journalctl|crontab|gzip|tar|unzip|open|code|vim|time)\s|\S+\s+(?:\S+\s+)*-{1,2}\w|"
    r"[a-z][\w.-]*\s+[a-z][\w-]*\s+(?:\S+\s+)*\S*[/.]\S*"
)
"""A backticked span that runs a command (`pytest analytics/tests/test_x.py`, `kubeconform -strict a.yaml`): its
first word is a program, or it passes a flag, or two bare words come before a path (`promtool check rules
a/b.yaml`: a program and its subcommand, where a file name with spaces has at most one word before its directory,
`my notes/*.md`). Its arguments are read like prose, one path each, not the span as
one file name with spaces (`docs/release notes.md`)."""


def _unmarked(paths: list[str]) -> list[str]:
    return [path for path in paths if not _WORD_PAIR.fullmatch(path.rstrip(".,;:"))]


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
SPEC_READ_BYTES = 16 * 2**20
"""The most of a spec file or stdin that is read: well past the longest spec allowed, so one over it is refused with
its size, while a source without end is not read forever."""


def lint(
    text: str,
    cwd: Path | None = None,
    known_task_types: set[str] | None = None,
    known_tiers: set[str] | None = None,
    target: str = "stateless",
) -> list[Finding]:
    """Check a spec against the dispatch checklist (core/checklist) for a reader of kind `target`: stateless,
    web or agent."""
    from core import checklist

    return checklist.lint(text, cwd, known_task_types, known_tiers, checklist.Target(target))


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
