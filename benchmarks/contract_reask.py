"""How often one re-ask fixes an answer that broke its Output contract, on the built-in local model (Qwen2.5-Coder
0.5B, temperature 0): each spec below asks for a shape a small model often misses (exact counts, keys, a header,
a label set, only a code block). Each runs with --contract-retries 1; the report counts first answers that keep the
contract, and how many of the rest one re-ask in the same session fixed.

Skipped, with the reason, where the local model is not installed (`make run` installs it).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time

from core import config as configs
from core.engine import DispatchRequest, Engine, collect

TASKS = [
    (
        "List the three primary colours of paint, for a children's art worksheet.",
        "Exactly 3 bullets, one colour each, nothing else.",
    ),
    (
        "Extract the name and age of the person in the input, for a customer record.",
        "A JSON object with keys `name` and `age`, nothing else.",
    ),
    (
        "Classify the sentiment of the review in the input, for a support dashboard.",
        "One word: positive, negative or neutral.",
    ),
    (
        "Write a Python function `add(a, b)` that returns the sum of its two arguments.",
        "One Python code block, nothing else.",
    ),
    (
        "List two European capitals with their countries, for a quiz sheet.",
        "CSV with header `city,country` and exactly 2 rows.",
    ),
    ("Summarise the review in the input for a one-line dashboard tile.", "Plain text, at most 8 words."),
    ("Say whether 17 is a prime number, for a maths quiz answer key.", "One word: yes or no."),
    ("List four planets of the solar system, for a science quiz.", "A JSON array of exactly 4 strings, nothing else."),
    (
        "Give three tips for writing a clear commit message, for a team wiki.",
        "A numbered list of exactly 3 items, each at most 10 words.",
    ),
    (
        "Write a title for an internal team note about the review in the input.",
        "Plain text, one line, under 50 characters.",
    ),
]
INPUT = "Maria Lopez is 34. Review: 'The parcel came late but the product itself is wonderful.'"


def spec(goal: str, output: str) -> str:
    return (
        f"Task type: general\n\n## Goal\n{goal}\n\n## Non-goals\nNo explanation.\n\n## Inputs\n{INPUT}\n\n"
        f"## Output\n{output}\n\n## Escalation\nNothing to escalate: answer as asked.\n"
    )


async def measure() -> None:
    engine = Engine(configs.load())
    kept = fixed = still = 0
    started = time.perf_counter()
    for number, (goal, output) in enumerate(TASKS):
        request = DispatchRequest(spec_text=spec(goal, output), slug=f"reask-{number}", contract_retries=1)
        envelope = await collect(engine.dispatch(request))
        contract = envelope.extras.get("contract") or {}
        if contract.get("attempts") == 1 and contract.get("passed"):
            kept += 1
        elif contract.get("passed"):
            fixed += 1
        else:
            still += 1
        how = f"attempts {contract.get('attempts')}, passed {contract.get('passed')}" if contract else envelope.status
        print(f"  {output[:50]!r}: {how} {envelope.error or ''} -> {envelope.result[:60]!r}")
    broken = fixed + still
    print(
        f"{len(TASKS)} contracts on the local model: {kept} kept on the first answer; of the {broken} broken, "
        f"one re-ask fixed {fixed} ({(fixed / broken if broken else 0):.0%}); {time.perf_counter() - started:.0f} s"
    )


def main() -> None:
    from tests.helpers import local_model_missing

    if why := local_model_missing():
        print(f"skipped: {why}")
        return
    from core.local.server import LocalServer

    with tempfile.TemporaryDirectory() as home:
        os.environ.update(DISPATCH_HOME=home, DISPATCH_PROJECTS_DIR=os.path.join(home, "projects"))
        try:
            asyncio.run(measure())
        finally:
            LocalServer().stop()  # it outlives a dispatch by design; not the benchmark's temporary home


if __name__ == "__main__":
    main()
