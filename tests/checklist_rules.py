"""Which rule the refusal decision rests on, over every labelled spec set: `python -m tests.checklist_rules`.

Per error-level rule: how many vague specs it refuses, how many of those no other rule refuses (its unique
recall: what is lost if it became a warning), and how many good specs it refuses. A rule with little unique
recall that refuses good specs on a blind set's first contact is a phrase matcher to demote or corroborate
(issue #17); the first-contact numbers come from scoring each set with the code as it stood when the set came
(see each set's README).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.checklist_corpus import DATA, cases, errors

SETS = (DATA / "specs", DATA / "specs_heldout", *sorted((DATA / "specs").glob("fresh*")))


def table(directories: tuple[Path, ...] = SETS) -> str:
    refuses: Counter[str] = Counter()
    unique: Counter[str] = Counter()
    alarms: Counter[str] = Counter()
    for directory in directories:
        vague, good = cases(directory)
        for case in vague:
            found = {f.rule for f in errors(case, directory / "tree")}
            refuses.update(found)
            if len(found) == 1:
                unique.update(found)
        for case in good:
            alarms.update({f.rule for f in errors(case, directory / "tree")})
    rows = [f"{'rule':<20} {'refuses vague':>14} {'only it':>8} {'refuses good':>13}"]
    rows += [
        f"{rule:<20} {refuses[rule]:>14} {unique[rule]:>8} {alarms[rule]:>13}" for rule in sorted({*refuses, *alarms})
    ]
    return "\n".join(rows)


if __name__ == "__main__":
    print(table())
