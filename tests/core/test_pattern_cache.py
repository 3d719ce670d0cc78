"""Patterns read back from the compiled-pattern cache behave exactly as `re.compile`'s, and a missing, damaged or
unwritable cache only costs the compile, never a different pattern or an error."""

from __future__ import annotations

import marshal
import re
import sys
from pathlib import Path

import pytest

import core.checklist  # noqa: F401 - compiles the checklist's patterns through the process's cache
import core.contract  # noqa: F401
from core import pattern_cache
from core.pattern_cache import PatternCache
from tests.helpers import ROOT

SAMPLES = [
    *(path.read_text(encoding="utf-8") for path in sorted((ROOT / "examples").glob("*.md"))),
    "As we discussed yesterday, use the numbers Marco sent and the deck from last week's call.",
    "Return JSON lines, at most 3 sentences; send the email to the client once legal approves it.",
]


def _checked_patterns() -> list[tuple[str, int]]:
    patterns = list(pattern_cache._cache._used)
    assert len(patterns) > 100, "the checklist no longer compiles through the cache"
    return patterns


def _same(compiled: re.Pattern[str], pattern: str, flags: int) -> None:
    expected = re.compile(pattern, flags)
    assert (compiled.pattern, compiled.flags, compiled.groups, compiled.groupindex) == (
        expected.pattern,
        expected.flags,
        expected.groups,
        expected.groupindex,
    )
    for text in SAMPLES:
        assert [m.span() for m in compiled.finditer(text)] == [m.span() for m in expected.finditer(text)], pattern


def test_patterns_read_back_match_as_re_compile_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    path = tmp_path / "__pycache__" / "patterns.marshal"
    patterns = _checked_patterns()
    learning = PatternCache(path)
    for pattern, flags in patterns:
        learning.compile(pattern, flags)
    learning.save()
    assert path.is_file()

    def no_parsing(*args: object) -> None:
        raise AssertionError("a cached pattern was parsed again")

    with monkeypatch.context() as patched:
        patched.setattr(pattern_cache._parser, "parse", no_parsing)
        reading = PatternCache(path)
        read_back = [reading.compile(pattern, flags) for pattern, flags in patterns]
    for compiled, (pattern, flags) in zip(read_back, patterns, strict=True):
        _same(compiled, pattern, flags)


@pytest.mark.parametrize("damage", [b"", b"not marshal at all", b"\xfb" + b"\x00" * 40])
def test_a_damaged_file_costs_only_the_compile(damage: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    path = tmp_path / "patterns.marshal"
    path.write_bytes(damage)
    cache = PatternCache(path)
    for pattern, flags in _checked_patterns()[:20]:
        _same(cache.compile(pattern, flags), pattern, flags)
    cache.save()
    assert len(PatternCache(path)._kept_entries()) == 20


@pytest.mark.parametrize(
    "entry",
    [(34, b"\x01\x02\x03", 1, {}, (None,)), (34, b"\x07\x00\x00\x00" * 3, 1, {"x": 1}, (None, "x")), ("x",)],
    ids=["ragged words", "invalid opcodes", "wrong shape"],
)
def test_a_foreign_entry_is_compiled_afresh(entry: tuple[object, ...], tmp_path: Path) -> None:
    path = tmp_path / "patterns.marshal"
    path.write_bytes(marshal.dumps({(r"\bfoo(?P<x>\d+)", 2): entry}))
    _same(PatternCache(path).compile(r"\bfoo(?P<x>\d+)", re.IGNORECASE), r"\bfoo(?P<x>\d+)", re.IGNORECASE)


def test_nothing_is_written_when_bytecode_is_not_or_cannot_be(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    path = tmp_path / "patterns.marshal"
    cache = PatternCache(path)
    cache.compile(r"\bthe (?:deck|doc)\b", re.IGNORECASE)
    cache.save()
    assert not path.exists()

    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    (tmp_path / "file").write_text("")
    blocked = PatternCache(tmp_path / "file" / "patterns.marshal")
    blocked.compile(r"\bthe (?:deck|doc)\b", re.IGNORECASE)
    blocked.save()
    assert list(tmp_path.iterdir()) == [tmp_path / "file"]
