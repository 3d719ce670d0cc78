"""Secret redaction (core/redact.py): the one path every sink takes before anything is kept or shown."""

from __future__ import annotations

import json

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from core.redact import KEY_FAMILIES, MASK, Redactor, mask, mask_fragments

HELD = "held-secret-value-1234567890"
SHAPED = "sk-proj-" + "A1b2C3d4E5f6G7h8I9j0K1l2"


def test_a_held_value_is_masked_whole_and_a_key_shape_keeps_four_characters() -> None:
    redactor = Redactor([HELD])
    assert redactor.text(f"token={HELD}.") == f"token={MASK}."
    assert redactor.text(f"key {SHAPED} here") == f"key {SHAPED[:4]}{MASK} here"
    assert redactor.found(f"{HELD} and {SHAPED}") == {HELD, SHAPED}


def test_short_values_are_not_masked_since_they_would_hide_words() -> None:
    assert Redactor(["abc"]).text("abc abcdef") == "abc abcdef"


def test_config_patterns_are_masked_too() -> None:
    assert Redactor(patterns=[r"ACME-\d{6}"]).text("ticket ACME-123456") == f"ticket ACME{MASK}"


def test_every_string_in_a_structure_is_redacted_keys_included() -> None:
    data = {"outer": [HELD, {HELD: 5, "n": 1.5}], "ok": None}
    assert Redactor([HELD]).data(data) == {"outer": [MASK, {MASK: 5, "n": 1.5}], "ok": None}


def test_the_environment_gives_the_values_of_every_secret_named_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_SERVICE_TOKEN", "tok-value-987654")
    monkeypatch.setenv("PLAIN_SETTING", "not-secret-value")
    redactor = Redactor.from_environment()
    assert redactor.text("tok-value-987654 not-secret-value") == f"{MASK} not-secret-value"


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7])
def test_a_key_split_across_stream_pieces_never_shows(size: int) -> None:
    text = f"Here is the key: {HELD} and also {SHAPED}, done."
    stream = Redactor([HELD]).stream()
    pieces = [stream.feed(text[i : i + size]) for i in range(0, len(text), size)] + [stream.flush()]
    shown = "".join(pieces)
    assert shown == Redactor([HELD]).text(text)
    assert not any(HELD[:8] in p or SHAPED[5:13] in p for p in pieces)


def test_plain_prose_streams_through_at_once() -> None:
    stream = Redactor([HELD]).stream()
    assert stream.feed("Nothing secret in this sentence. ") == "Nothing secret in this sentence. "


def test_raw_wire_output_loses_the_pieces_of_a_key_the_answer_held() -> None:
    pieces = [SHAPED[i : i + 5] for i in range(0, len(SHAPED), 5)]
    raw = "\n".join(json.dumps({"delta": {"content": p}}) for p in ["Key: ", *pieces])
    masked = mask_fragments(raw, {SHAPED})
    assert not any(p in masked for p in pieces)
    assert '"Key: "' in masked and '"delta"' in masked


def test_a_secret_shown_to_a_person_is_recognisable_but_unusable() -> None:
    assert mask(None) == "(not set)"
    assert mask("short") == MASK
    assert mask(HELD) == HELD[:3] + MASK


@pytest.mark.parametrize("family", sorted(KEY_FAMILIES))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_key_a_family_matches_holds_one_of_its_needles(family: str, data: st.DataObject) -> None:
    shape = KEY_FAMILIES[family]
    # hypothesis draws with `re`, whose \s is wider than `regex`'s: keep the keys the redactor's engine matches.
    key = data.draw(st.from_regex(shape.pattern, fullmatch=True).filter(lambda k: regex.fullmatch(shape.pattern, k)))
    assert any(needle in key.lower() for needle in shape.needles)
    assert Redactor().text(f"{'prose without keys ' * 4}{key}") != f"{'prose without keys ' * 4}{key}"


def test_text_without_any_needle_is_let_through_and_a_held_value_is_still_found() -> None:
    long_prose = "A plain paragraph with no key shapes in it at all, long enough to take the needle tests. " * 3
    assert Redactor([HELD]).text(long_prose) == long_prose
    assert Redactor([HELD]).text(long_prose + HELD) == long_prose + MASK
    assert Redactor(patterns=[r"plain paragraph"]).text(long_prose).count(MASK) == 3


def test_a_secret_with_a_line_break_is_masked_escaped_and_by_halves() -> None:
    key = "sk-proj-Abcdefghij0123456789\nKLMNOPqrstuv9876543210"
    redactor = Redactor([key])
    for shown in (key, repr(key), key.encode().decode("unicode_escape"), "KLMNOPqrstuv9876543210 alone"):
        assert "KLMNOPqrstuv9876543210" not in redactor.text(f"Illegal header value b'Bearer {shown}'")
