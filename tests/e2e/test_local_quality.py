"""The built-in model does the cheapest tier's work: a labelled set of about twenty specs, run end to end through
the engine (the fitted prompt, temperature 0, the JSON repair) against the real local model.

The score is printed; the test fails under FLOOR, set from measurement (see the constant). It checks answers,
never timings.
"""

from __future__ import annotations

from collections import Counter

import pytest

from core import config as configs
from core.engine import DispatchRequest, Engine
from core.envelope import Envelope, Status
from core.events import Finished
from tests.e2e.quality_set import ITEMS

FLOOR = 12
"""Out of 20. Measured 15/20 with the built-in model at temperature 0, one thread (missed: two general-knowledge
words, two sums, the late-parcel ticket labelled with the first label offered; 14/20 before the label grammar,
which fixed the three customer messages); the floor stays under that to leave room for another CPU's
arithmetic to flip a near tie, not for a regression in the prompt or the model."""


async def answer(spec: str, slug: str) -> Envelope:
    async for event in Engine(configs.load()).dispatch(DispatchRequest(spec_text=spec, slug=slug)):
        if isinstance(event, Finished):
            return event.envelope
    raise AssertionError("the dispatch ended without a Finished event")


async def test_the_labelled_set_scores_at_least_the_floor(capsys: pytest.CaptureFixture[str]) -> None:
    passed: Counter[str] = Counter()
    failed = []
    for item in ITEMS:
        envelope = await answer(item.spec(), f"quality-{item.name}")
        assert envelope.status == Status.OK, f"{item.name}: {envelope.error}"
        if item.check(envelope.result):
            passed[item.kind] += 1
        else:
            failed.append(f"{item.name}: {envelope.result[:80]!r}")
    score = sum(passed.values())
    with capsys.disabled():
        print(f"\nlocal model quality: {score}/{len(ITEMS)} ({dict(passed)}); missed: {'; '.join(failed) or 'none'}")
    assert score >= FLOOR, f"{score}/{len(ITEMS)} is under the floor of {FLOOR}; missed: {failed}"


async def test_the_three_customer_messages_are_labelled_one_per_line() -> None:
    """Issue 15's own example: held to the spec's labels, one per line, the model labels all three right."""
    [item] = [item for item in ITEMS if item.name == "three-messages"]
    envelope = await answer(item.spec(), "quality-three-messages-alone")
    assert envelope.status == Status.OK, envelope.error
    assert envelope.result.splitlines() == ["billing", "bug", "praise"], envelope.result
