"""Output helpers shared by every command: data to stdout, diagnostics to stderr."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from core.errors import UsageError


def error_line(message: str) -> None:
    print(visible(message), file=sys.stderr, flush=True)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """Control characters (escape, bell, carriage return...) as ^X and C1 ones as U+FFFD, tabs and newlines kept:
    what a model or a server sent (nothing dispatched is trusted) can be read on a terminal but never retitle it,
    clear it, move its cursor or write its clipboard."""
    return _CONTROL.sub(lambda m: f"^{chr(ord(m.group()) ^ 0x40)}" if ord(m.group()) < 0x80 else "\ufffd", text)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def one_line(text: str, width: int) -> str:
    """Text folded onto one line and cut to `width` with an ellipsis, for a table cell or a log line."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def table(rows: list[list[str]], headers: list[str]) -> str:
    """A plain aligned text table; the console draws its own."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)]
    lines = [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)).rstrip()
        for row in [headers, *rows]
    ]
    return "\n".join(lines)


def read_text_arg(value: str) -> str:
    """A FILE argument's text, or stdin's for '-'; a missing, endless, unreadable or empty one is a usage error
    naming it (an empty stdin is most often a pipe whose writer failed, not a spec missing six sections)."""
    from core.spec import MAX_SPEC_CHARS, SPEC_READ_BYTES
    from core.user_text import read_named

    what, where = ("the spec", "on stdin") if value == "-" else ("spec file", value)
    text = read_named(
        sys.stdin.buffer if value == "-" else Path(value),
        what,
        where,
        SPEC_READ_BYTES,
        f"pass UTF-8 Markdown, at most {MAX_SPEC_CHARS:,} characters, as a file or on stdin with -",
    )
    if not text.strip():
        raise UsageError(f"{what} {where} is empty", "write the spec first; `dispatch spec new > task.md` starts one")
    return text
