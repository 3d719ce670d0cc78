"""Compiled regular expressions kept between processes beside the bytecode, as Python keeps its .pyc files.

The checklist and the output contract are ~180 long patterns that every run compiles at import, and `re`
compiles in pure Python: ~45 ms of a chat run, about a third of what the run costs beyond the HTTP request
itself. What `re` hands its C engine (a list of opcodes) depends only on the pattern, the flags and the Python
build, so it is kept in __pycache__ under a name carrying the build's tag and the engine's version, and the C
engine takes it back in ~2 ms for all of them. Anything unexpected (another Python, a damaged or foreign file,
an unwritable directory, PYTHONDONTWRITEBYTECODE, a pattern that fails) ends in a plain `re.compile`, so the
patterns are the same either way; only module-level patterns go through here, never ones built from input.
"""

from __future__ import annotations

import array
import atexit
import marshal
import os
import re
import sys
from pathlib import Path
from typing import Any

_sre: Any
try:  # CPython's own engine and the two halves of re.compile that run in Python; typeshed has no stubs for them
    import _sre  # type: ignore[import-not-found,no-redef]
    from re import _compiler, _parser  # type: ignore[attr-defined]
except ImportError:  # another Python implementation: compile as usual
    _sre = None

MAX_ENTRIES = 2000
"""Past this many kept patterns, only those this process used are written: rules edited over time do not pile
up their old versions."""

Entry = tuple[int, bytes, int, dict[str, int], tuple[str | None, ...]]
"""Final flags, the opcodes as machine words, group count less one, group names, each group's name."""


class PatternCache:
    """The compiled patterns of one file: read on first use, written back once at exit when it learned some."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._kept: dict[tuple[str, int], Entry] | None = None
        self._used: dict[tuple[str, int], Entry] = {}
        self._learned = False

    def compile(self, pattern: str, flags: int = 0) -> re.Pattern[str]:
        if self.path is None or _sre is None:
            return re.compile(pattern, flags)
        key = (pattern, int(flags))
        if (entry := self._kept_entries().get(key)) is not None:
            try:
                compiled = _from_entry(pattern, entry)
            except (TypeError, ValueError, RuntimeError, OverflowError):
                pass  # a file from another build slipped past the name: compile it afresh below
            else:
                self._used[key] = entry
                return compiled
        try:
            entry = _entry(pattern, key[1])
            compiled = _from_entry(pattern, entry)
        except (TypeError, ValueError, RuntimeError, OverflowError, AttributeError):
            return re.compile(pattern, flags)
        self._used[key] = entry
        self._learned = True
        return compiled

    def save(self) -> None:
        """Write what this process learned, atomically; a reader never sees half a file."""
        if not self._learned or self.path is None or sys.dont_write_bytecode:
            return
        kept = self._kept_entries()
        entries = {**kept, **self._used} if len(kept) + len(self._used) <= MAX_ENTRIES else self._used
        import tempfile  # only a process that learned something pays for it

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".patterns-", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as file:
                    marshal.dump(entries, file)
                os.replace(temp, self.path)
            except BaseException:
                os.unlink(temp)
                raise
        except OSError:
            return  # a read-only install: the next process compiles again, as it would without this cache
        self._learned = False

    def _kept_entries(self) -> dict[tuple[str, int], Entry]:
        if self._kept is None:
            self._kept = {}
            if self.path is not None:
                try:
                    loaded: Any = marshal.loads(self.path.read_bytes())
                except (OSError, EOFError, ValueError, TypeError):
                    loaded = None
                if isinstance(loaded, dict):
                    self._kept = loaded
        return self._kept


def _entry(pattern: str, flags: int) -> Entry:
    """What `re._compiler.compile` computes before handing it to the C engine, in a form marshal keeps."""
    parsed = _parser.parse(pattern, flags)
    code = array.array("I", _compiler._code(parsed, flags))
    if code.itemsize != _sre.CODESIZE:
        raise ValueError("opcode width differs from the engine's")
    names: list[str | None] = [None] * parsed.state.groups
    for name, index in parsed.state.groupdict.items():
        names[index] = name
    return (
        flags | parsed.state.flags,
        code.tobytes(),
        parsed.state.groups - 1,
        dict(parsed.state.groupdict),
        tuple(names),
    )


def _from_entry(pattern: str, entry: Entry) -> re.Pattern[str]:
    final_flags, code, groups, groupindex, indexgroup = entry
    compiled: re.Pattern[str] = _sre.compile(
        pattern, final_flags, array.array("I", code).tolist(), groups, groupindex, indexgroup
    )
    return compiled


def _default_path() -> Path | None:
    if _sre is None:
        return None
    return Path(__file__).parent / "__pycache__" / f"patterns.{sys.implementation.cache_tag}-{_sre.MAGIC}.marshal"


_cache = PatternCache(_default_path())
atexit.register(_cache.save)
compile = _cache.compile
"""The same call as `re.compile`, for patterns fixed in the source."""
