"""The labelled spec sets the checklist is measured on: load them, lint each, and score recall and false alarms.

A set is a text file of specs, each starting at a line `=== ID family=FAMILY kind=KIND`; beside it, `tree/` is
the --cwd its specs are linted under, against the real task types as `dispatch lint` is. A vague spec counts as
caught when the checklist refuses it (an error); `score` also notes a spec caught only by another family's rule.
A vague spec whose header ends in `relabelled=good` is scored as a good one: the checklist's policy changed so that
its one defect is none (issue #17: no Escalation section on work with no risk is a warning; no Non-goals section is
a warning when the goal, its material and the output are stated; no Inputs section is a warning when the goal names
nothing to work on but itself; an ask under a heading of the writer's own is the goal), and it stays where it
was written so the set reads as it was measured.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from core import checklist, spec, tiers

DATA = Path(__file__).resolve().parent / "data"
_HEADER = re.compile(
    r"^=== (?P<id>\S+) family=(?P<family>\S+) kind=(?P<kind>\S+)(?P<relabelled> relabelled=good)?$", re.MULTILINE
)


@dataclass
class Case:
    id: str
    family: str
    kind: str
    text: str
    relabelled: bool = False


def load(path: Path) -> list[Case]:
    text = path.read_text(encoding="utf-8")
    heads = list(_HEADER.finditer(text))
    return [
        Case(
            head["id"],
            head["family"],
            head["kind"],
            text[head.end() + 1 : heads[n + 1].start() if n + 1 < len(heads) else len(text)],
            bool(head["relabelled"]),
        )
        for n, head in enumerate(heads)
    ]


def cases(directory: Path) -> tuple[list[Case], list[Case]]:
    """The set's vague and good specs, each relabelled vague spec counted with the good ones."""
    vague = load(directory / "vague.txt")
    good = [case for case in vague if case.relabelled] + load(directory / "good.txt")
    return [case for case in vague if not case.relabelled], good


def errors(case: Case, cwd: Path) -> list[spec.Finding]:
    found = checklist.lint(
        case.text, cwd=cwd, known_task_types=set(tiers.TASK_TYPES), target=checklist.Target(case.kind)
    )
    return [f for f in found if f.severity == spec.Severity.ERROR]


@dataclass
class Score:
    caught: int
    total: int

    @property
    def rate(self) -> float:
        return self.caught / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.caught}/{self.total} ({self.rate:.0%})"


def score(directory: Path) -> tuple[dict[str, Score], dict[str, Score], list[str]]:
    """Recall per family of the vague set (with 'all'), false alarms per family of the good set (with 'all'),
    and one line per miss or false alarm, for the test to print."""
    cwd = directory / "tree"
    recall: dict[str, Score] = defaultdict(lambda: Score(0, 0))
    alarms: dict[str, Score] = defaultdict(lambda: Score(0, 0))
    notes: list[str] = []
    vague, good = cases(directory)
    for case in vague:
        found = errors(case, cwd)
        for key in (case.family, "all"):
            recall[key].total += 1
            recall[key].caught += bool(found)
        if not found:
            notes.append(f"missed {case.id} ({case.family})")
        elif not any(checklist.family_of(f.rule) == case.family for f in found):
            notes.append(f"caught {case.id} ({case.family}) only by {sorted({f.rule for f in found})}")
    for case in good:
        found = errors(case, cwd)
        for key in (case.family, "all"):
            alarms[key].total += 1
            alarms[key].caught += bool(found)
        for f in found:
            notes.append(f"false alarm {case.id} ({case.family}): {f.rule} {f.message}")
    return dict(recall), dict(alarms), notes


def report(recall: dict[str, Score], alarms: dict[str, Score]) -> str:
    families = sorted({*recall, *alarms} - {"all"}) + ["all"]
    rows = [f"{'family':<10} {'recall (vague refused)':>24} {'false alarms (good refused)':>28}"]
    rows += [f"{name:<10} {str(recall.get(name, '-')):>24} {str(alarms.get(name, '-')):>28}" for name in families]
    return "\n".join(rows)
