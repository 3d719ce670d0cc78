"""The checklist on its fresh held-out set (tests/data/specs/fresh): 40 vague and 20 good specs written by a helper
blind to the rules, each vague one labelled with its defect and the phrase it is in. Measured once as it came
(the numbers are in the commit that added it), then kept as a regression set. Same thresholds as the corpus,
per family; and a refusal must come from a rule of the labelled family, quoting the labelled phrase."""

from __future__ import annotations

from tests.checklist_corpus import DATA, errors, load, report, score
from tests.core.test_checklist_corpus import FALSE_ALARMS, RECALL

FRESH = DATA / "specs" / "fresh"


def test_the_fresh_set_is_what_it_claims() -> None:
    vague, good = load(FRESH / "vague.txt"), load(FRESH / "good.txt")
    assert len(vague) == 40 and len(good) == 20
    labelled = {row.split("\t")[0] for row in (FRESH / "labels.tsv").read_text().splitlines()[1:]}
    assert labelled == {case.id for case in vague + good}


def test_fresh_recall_and_false_alarms_per_family() -> None:
    recall, alarms, notes = score(FRESH)
    print("\n" + report(recall, alarms) + "\n" + "\n".join(notes))
    low = {family: str(s) for family, s in recall.items() if s.rate < RECALL}
    assert not low, f"recall under {RECALL:.0%}: {low}"
    assert alarms["all"].rate <= FALSE_ALARMS, str(alarms["all"])


def test_each_refusal_is_of_its_family_and_quotes_the_labelled_phrase() -> None:
    from core import checklist

    phrases = {row.split("\t")[0]: row.split("\t")[4] for row in (FRESH / "labels.tsv").read_text().splitlines()[1:]}
    for case in load(FRESH / "vague.txt"):
        own = [f for f in errors(case, FRESH / "tree") if checklist.family_of(f.rule) == case.family]
        words = set(phrases[case.id].lower().split())
        assert any(f.rule == "missing-section" or words & set(f.quote.lower().split()) for f in own), (case.id, own)
        assert all(f.fix for f in own), case.id
