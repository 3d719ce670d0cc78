"""Output helpers shared by every command: data to stdout, diagnostics to stderr."""

from __future__ import annotations

import io
import json
import sys
from typing import Any


def error_line(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


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
    """A FILE argument's text, or stdin's for '-'; a missing file is a usage error with the path in it."""
    from core.errors import UsageError

    if value == "-":
        stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8")  # strict, whatever the locale says
        try:
            return stream.read()
        except UnicodeDecodeError:
            raise UsageError("cannot read the spec from stdin: not UTF-8 text", "pipe in UTF-8 Markdown") from None
        finally:
            stream.detach()
    try:
        with open(value, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        raise UsageError(
            f"spec file not found: {value}", "check the path, or pass - to read the spec from stdin"
        ) from None
    except (IsADirectoryError, UnicodeDecodeError, PermissionError) as exc:
        raise UsageError(
            f"cannot read spec {value}: {exc.strerror if isinstance(exc, OSError) else 'not UTF-8 text'}",
            "pass a UTF-8 Markdown file",
        ) from None
