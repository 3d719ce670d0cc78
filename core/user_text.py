"""Text a user names (a spec file, stdin, a manifest or template), read whole or refused in one line.

Every way the read can fail is a usage error that names the file and says what to pass instead: not there,
without end or too large (core/fsutil.py read_capped), not UTF-8, or unreadable.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from core.errors import UsageError
from core.fsutil import TooLarge, read_text_capped


def is_utf8(text: str) -> bool:
    """False for a string holding a lone surrogate: bytes the locale could not decode (Python keeps them as
    such), or a JSON escape such as `\\ud800` with no pair. No run file or index can store one."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def read_named(source: Path | BinaryIO, what: str, where: str, limit: int, fix: str) -> str:
    """The text of `source` (a `what`, e.g. "spec file", at `where`), at most `limit` bytes."""
    try:
        return read_text_capped(source, limit)
    except FileNotFoundError:
        raise UsageError(f"{what} not found: {where}", fix) from None
    except TooLarge:
        raise UsageError(f"{what} {where} is over {limit // 2**20} MB", fix) from None
    except UnicodeDecodeError:
        raise UsageError(f"{what} {where} is not UTF-8 text", fix) from None
    except OSError as exc:
        raise UsageError(f"cannot read {what} {where}: {exc.strerror or exc}", fix) from None
