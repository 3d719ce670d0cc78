"""The dispatch checklist: the rules a spec must pass before a contractor can act on it without guessing.

One module per family of defect (sections, references, sufficiency, output_shape, goal, risk); each finding
quotes the phrase it is about and says what to add. `lint` runs them all; the engine, `dispatch lint`, the MCP
door and the console's editor all call it, so they agree. `deep` (optional) asks a model for the questions a
contractor would still have, as warnings.
"""

from __future__ import annotations

import re
from pathlib import Path

from core import tiers
from core.checklist import goal, output_shape, prose, references, risk, sections, sufficiency, unwrap
from core.checklist.target import Target
from core.spec import MAX_SPEC_CHARS, Finding, Severity, Spec, goal_material_paths, input_paths, parse, path_exists

__all__ = ["FAMILIES", "Target", "family_of", "lint"]

FAMILIES = {
    "missing-section": "sections",
    "empty-section": "sections",
    "too-large": "sections",
    "hidden-context": "reference",
    "input-not-given": "inputs",
    "missing-input": "inputs",
    "vague-output": "output",
    "unchecked-output": "output",
    "vague-goal": "goal",
    "missing-escalation": "risk",
    "unknown-task-type": "routing",
    "task-type-alias": "routing",
    "unknown-tier": "routing",
    "deep-question": "deep",
    "deep-unavailable": "deep",
}
"""Which family each rule belongs to, as the corpus test reports them."""


def family_of(rule: str) -> str:
    return FAMILIES.get(rule, "inputs")


def lint(
    text: str,
    cwd: Path | None = None,
    known_task_types: set[str] | None = None,
    known_tiers: set[str] | None = None,
    target: Target = Target.STATELESS,
) -> list[Finding]:
    """Check a spec against the dispatch checklist for a reader of kind `target`; findings come sorted by line."""
    if len(text) > MAX_SPEC_CHARS:
        return [
            Finding(
                "too-large",
                Severity.ERROR,
                1,
                f"the spec has {len(text):,} characters; the limit is {MAX_SPEC_CHARS:,}",
                "cut it down to the task itself: put large inputs in files the model can open, named under Inputs",
            )
        ]
    joined = unwrap.unwrap(text)
    findings = _rules(parse(joined.text), cwd, known_task_types, known_tiers, target)
    for finding in findings:
        finding.line = joined.line_of(finding.line, finding.quote)
    return sorted(findings, key=lambda f: (f.line, f.severity != Severity.ERROR, f.rule))


def _rules(
    spec: Spec, cwd: Path | None, known_task_types: set[str] | None, known_tiers: set[str] | None, target: Target
) -> list[Finding]:
    findings = [
        *sections.check(spec, target),
        *references.check(spec),
        *sufficiency.check(spec, target, cwd),
        *output_shape.check(spec, cwd),
        *goal.check(spec),
        *risk.check(spec, target),
    ]
    if cwd is not None:
        findings += _missing_inputs(spec, cwd)
    if (task_type := spec.task_type) and known_task_types is not None:
        findings += _task_type(task_type, spec.sections["task type"].line, known_task_types)
    if (tier := spec.tier) and known_tiers is not None and tier not in known_tiers:
        findings.append(
            Finding(
                "unknown-tier",
                Severity.ERROR,
                spec.sections["tier"].line,
                f"unknown tier '{tier}'",
                f"use one of: {', '.join(sorted(known_tiers))} (see `dispatch tiers`)",
            )
        )
    return findings


def _task_type(name: str, line: int, known: set[str]) -> list[Finding]:
    """An unknown task type is an error naming the nearest one; an alias that could have meant another is read as
    its task type, with a warning saying so."""
    alias = tiers.alias_named(name)
    if name not in known and (alias is None or alias.task_type not in known):
        return [
            Finding(
                "unknown-task-type",
                Severity.ERROR,
                line,
                f"unknown task type '{name}'",
                tiers.unknown_task_type_fix(name),
                quote=name,
            )
        ]
    if alias is not None and alias.other:
        return [
            Finding(
                "task-type-alias",
                Severity.WARNING,
                line,
                f"task type '{name}' is read as {alias.task_type}",
                f"write '{alias.task_type}' to say so, or {alias.other}",
                quote=name,
            )
        ]
    return []


def _missing_inputs(spec: Spec, cwd: Path) -> list[Finding]:
    """Each input path that is not under --cwd; a bare name that ends a path named beside it is that file."""
    findings = []
    lines = spec.text.splitlines()
    named = input_paths(spec)
    every = named + [item for item in goal_material_paths(spec) if item not in named]
    tails = {path.rsplit("/", 1)[-1] for _, path in every if "/" in path}
    for number, path in every:
        if "/" not in path and path in tails:
            continue  # 'keys in en.json missing from de.json' after 'Compare locales/en.json with locales/de.json'
        if problem := _missing(cwd, path):
            severity = Severity.ERROR if _surely_a_file(path, lines[number - 1]) else Severity.WARNING
            findings.append(
                Finding(
                    "missing-input",
                    severity,
                    number,
                    f"input path '{path[:200]}' {problem} under {cwd}",
                    "fix the path, pass --cwd to the directory it is in, or paste the content into the spec",
                    quote=path[:200],
                )
            )
    return findings


def _surely_a_file(path: str, line: str) -> bool:
    """A missing name refuses the spec only when it is surely a file: a name with an extension and a directory
    ('logs/crash.txt'), or one the line puts material in ('the sample lines in gateway_sample.log'). A bare name
    ('ruamel.yaml', 'en.json') may be a name in prose, and slash-joined words with no extension may be anything
    ('method/path/protocol', 'actions/checkout', 'd/', a route glob '/blog/2019/*'): on first contact those were 5
    of the good specs refused and no vague one, so they are warnings. Nor is a path under a host name
    ('unicode.org/cldr/charts/latest/plural_rules.html'): that is a URL written without its scheme. A directory
    the line puts material in is as sure as a file (_DIRECTORY)."""
    if _DIRECTORY.search(path):
        return _placed(line, path) and not prose.HOST.match(path)
    return bool(_FILE_NAME.search(path)) and ("/" in path or _placed(line, path)) and not prose.HOST.match(path)


_FILE_NAME = re.compile(r"[^/.]\.\w+$")
_DIRECTORY = re.compile(r"^(?:\.{1,2}/)?[\w.-]+(?:/[\w.-]+)+/$")
"""Two names or more ending in a slash are a directory ('tests/fixtures/legacy_orders/'): surely one when the line
puts material in it ('driven by the fixtures in `tests/fixtures/legacy_orders/`'); 'd/' is a single letter,
and an absolute one ('/var/log/myapp/') is a place on the machine the task is about."""
_PLACES = re.compile(r"\b(?:in|from|see|open|read)\s+`?$", re.I)


def _placed(line: str, path: str) -> bool:
    """The line puts material in the name ('the sample lines in gateway_sample.log'): only the few characters
    before it are searched, so a line of thousands of names stays linear."""
    at = line.find(path)
    return at >= 0 and _PLACES.search(line, max(0, at - 40), at) is not None


def _missing(cwd: Path, path: str) -> str | None:
    """Why an input path cannot be used (it does not exist, or the system refuses the name), or None. A name with
    spaces whose last word is a path that exists is a command run on it (`Rscript analysis/power.R`), and one whose
    first word is, a command with its arguments (`scripts/bump_version.sh 7.15.0`)."""
    try:
        words = path.split(" ")
        found = path_exists(cwd, path) or (len(words) > 1 and any(path_exists(cwd, w) for w in (words[0], words[-1])))
    except (OSError, ValueError) as exc:
        return f"cannot be checked ({exc.strerror if isinstance(exc, OSError) and exc.strerror else exc})"
    return None if found else "does not exist"
