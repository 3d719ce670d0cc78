"""The spec as a small model reads it (task first, contract last) and the JSON fence repair, against the fake
OpenAI server standing in for the local llama.cpp server."""

from __future__ import annotations

from pathlib import Path

from core.backends.base import BackendRequest
from core.backends.local import LocalBackend
from core.config import ModelConfig
from core.events import BackendDone, Event, Notice, TextDelta
from core.local import prompt
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import GOOD_SPEC

JSON_SPEC = """\
Task type: extraction

## Goal
Extract the person's name from the sentence below.

## Inputs
"Maria is 34."

## Output
Only a JSON object with the key "name".

## Verification
The key is there.
"""


def test_the_task_comes_first_and_the_contract_last() -> None:
    shaped = prompt.reshape(GOOD_SPEC, GOOD_SPEC)
    blocks = shaped.split("\n\n")
    assert blocks[0].startswith("Summarise the three numbered points")
    assert blocks[1] == "Input:\n1. Faster start-up. 2. A new audit browser. 3. Fewer crashes."
    assert blocks[-1].startswith("Reply with plain text, one sentence, at most 30 words.")
    assert "Verification" not in shaped and "Task type" not in shaped and "##" not in shaped
    assert "Do not add points that are not listed." in shaped


def test_extra_instructions_stay_and_a_plain_prompt_is_untouched() -> None:
    composed = GOOD_SPEC.rstrip() + "\n\n## Additional instructions\nUse British spelling."
    assert "Use British spelling." in prompt.reshape(GOOD_SPEC, composed)
    assert prompt.reshape("", "Say it shorter.") == "Say it shorter."
    assert prompt.reshape("just some words", "just some words") == "just some words"


def test_a_fence_comes_off_only_when_the_contract_asks_for_bare_json() -> None:
    fenced = '```json\n{"name": "Maria"}\n```'
    assert prompt.unfence_json(JSON_SPEC, fenced) == '{"name": "Maria"}'
    assert prompt.unfence_json(JSON_SPEC, '{"name": "Maria"}') is None
    assert prompt.unfence_json(JSON_SPEC, "Here it is:\n```json\n{}\n```") is None
    asks_for_block = JSON_SPEC.replace("Only a JSON object", "A JSON code block")
    assert prompt.unfence_json(asks_for_block, fenced) is None
    assert prompt.unfence_json(GOOD_SPEC, fenced) is None


async def answer(server: FakeOpenAI, spec: str) -> list[Event]:
    backend = LocalBackend(ModelConfig(name="local", backend="local", base_url=server.base_url, temperature=0.0))
    request = BackendRequest(prompt=spec, cwd=Path("."), timeout=30, system="ignored", spec_text=spec)
    return [event async for event in backend._answer(request)]


async def test_a_fenced_json_answer_is_repaired_recorded_and_sent_once() -> None:
    with FakeOpenAI([Reply(text='```json\n{"name": "Maria"}\n```', chunks=4)]) as server:
        events = await answer(server, JSON_SPEC)
    sent = server.requests[0]
    assert [m["role"] for m in sent["messages"]] == ["user"] and sent["temperature"] == 0.0
    assert sent["messages"][0]["content"].startswith("Extract the person's name")
    assert sent["messages"][0]["content"].endswith('Reply with only a JSON object with the key "name".')
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    done = events[-1]
    assert isinstance(done, BackendDone) and done.result == '{"name": "Maria"}' and deltas == [done.result]
    assert done.extras["repairs"] == ["unfenced_json"] and "```json" in done.raw
    assert any(isinstance(e, Notice) and "code fence" in e.message for e in events)


async def test_plain_text_streams_as_it_comes_and_is_never_repaired() -> None:
    with FakeOpenAI([Reply(text="```json\n{}\n``` is an empty object.", chunks=3)]) as server:
        events = await answer(server, GOOD_SPEC)
    assert len([e for e in events if isinstance(e, TextDelta)]) == 3
    done = events[-1]
    assert isinstance(done, BackendDone) and "repairs" not in done.extras and done.result.endswith("object.")


LABELS_SPEC = """\
## Goal
Classify each of the three customer messages below into exactly one of these labels: billing, bug, praise.

## Inputs
1. "Charged twice." 2. "It crashes." 3. "Wonderful!"

## Output
Plain text: three lines, one label per line, in the order of the messages. Labels only.

## Verification
Checked by hand.
"""


def test_a_closed_label_set_becomes_a_grammar_one_per_line_for_several_items() -> None:
    assert prompt.labels(LABELS_SPEC) == ["billing", "bug", "praise"]
    assert (
        prompt.label_grammar(LABELS_SPEC) == 'root ::= label ("\\n" label)*\nlabel ::= "billing" | "bug" | "praise"\n'
    )
    one = LABELS_SPEC.replace("each of the three customer messages below", "the customer message below").replace(
        "three lines, one label per line, in the order of the messages. Labels only.", "one label only."
    )
    assert prompt.label_grammar(one) == 'root ::= label\nlabel ::= "billing" | "bug" | "praise"\n'
    assert prompt.labels(
        one.replace(
            "exactly one of these labels: billing, bug, praise", "as exactly one of: positive, negative or mixed"
        )
    ) == ["positive", "negative", "mixed"]


def test_no_grammar_unless_the_contract_asks_for_labels_only_from_a_named_set() -> None:
    with_reason = LABELS_SPEC.replace("Labels only.", "Each label with a one-sentence reason.")
    assert prompt.label_grammar(with_reason) is None, "a reason must still be writable"
    assert prompt.label_grammar(GOOD_SPEC) is None and prompt.label_grammar(JSON_SPEC) is None
    loose = LABELS_SPEC.replace("billing, bug, praise", "whatever fits best (billing, bug, praise, ...)")
    assert prompt.label_grammar(loose) is None, "no closed set, nothing to hold the answer to"


async def test_the_label_grammar_is_sent_with_a_first_turn_only() -> None:
    with FakeOpenAI([Reply(text="billing\nbug\npraise"), Reply(text="bug")]) as server:
        backend = LocalBackend(ModelConfig(name="local", backend="local", base_url=server.base_url))
        first = BackendRequest(prompt=LABELS_SPEC, cwd=Path("."), timeout=30, spec_text=LABELS_SPEC)
        [_ async for _ in backend._answer(first)]
        later = BackendRequest(
            prompt="Why bug?",
            cwd=Path("."),
            timeout=30,
            spec_text=LABELS_SPEC,
            history=[{"role": "user", "content": "..."}, {"role": "assistant", "content": "bug"}],
        )
        [_ async for _ in backend._answer(later)]
    assert server.requests[0]["grammar"] == prompt.label_grammar(LABELS_SPEC)
    assert "grammar" not in server.requests[1], "a follow-up may ask for more than a label"
