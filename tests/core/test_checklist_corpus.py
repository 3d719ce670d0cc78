"""The checklist measured on its labelled corpus (tests/data/specs): it must refuse at least 90% of the vague specs
in every family and at most 10% of the good ones. The table and every miss are printed (pytest -s shows them)."""

from __future__ import annotations

from tests.checklist_corpus import DATA, cases, report, score

RECALL = 0.90
FALSE_ALARMS = 0.10


def test_the_corpus_is_big_and_labelled() -> None:
    vague, good = cases(DATA / "specs")
    assert len(vague) >= 100 and len(good) >= 60
    assert len({case.id for case in vague + good}) == len(vague) + len(good)
    assert {case.family for case in vague} == {"reference", "inputs", "output", "goal", "risk", "sections"}


def test_recall_and_false_alarms_per_family() -> None:
    recall, alarms, notes = score(DATA / "specs")
    print("\n" + report(recall, alarms) + "\n" + "\n".join(notes))
    low = {family: str(s) for family, s in recall.items() if s.rate < RECALL}
    high = {family: str(s) for family, s in alarms.items() if s.rate > FALSE_ALARMS}
    assert not low, f"recall under {RECALL:.0%}: {low}"
    assert not high, f"false alarms over {FALSE_ALARMS:.0%}: {high}"


def test_every_refusal_quotes_a_phrase_and_says_what_to_add() -> None:
    from core import checklist

    for case in cases(DATA / "specs")[0]:
        for finding in checklist.lint(case.text, cwd=DATA / "specs" / "tree", target=checklist.Target(case.kind)):
            assert finding.fix, finding
            if finding.rule not in ("missing-section", "empty-section"):
                assert finding.quote and f"'{finding.quote[:40]}" in finding.message, finding
                assert finding.quote.split()[0].strip("'\"") in case.text, (case.id, finding)
