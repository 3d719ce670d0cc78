"""How numbers and times read on screen, in one place so every table agrees."""

from __future__ import annotations

from datetime import UTC, datetime

from core.dollars import money as money  # the console's costs read as the CLI's


def ago(iso: str | None, now: datetime) -> str:
    """'3m ago' style, from an ISO timestamp; '-' when there is none."""
    if not iso:
        return "-"
    try:
        then = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    seconds = max(0, int((now - then).total_seconds()))
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"


def tokens(count: int) -> str:
    return f"{count / 1000:.1f}k" if count >= 10_000 else str(count)


def seconds(value: float) -> str:
    return f"{value:.1f} s" if value < 60 else f"{int(value // 60)}m {int(value % 60):02d}s"


def since_start(value: float | None) -> str:
    """When an event happened in its run, to the millisecond in the first minute; '-' for a record written
    before events carried the time."""
    if value is None:
        return "-"
    return f"{value:.3f}s" if value < 60 else seconds(value)


def clip(text: str, width: int) -> str:
    """Fit a name in a column, cutting from the middle: slugs often share a start ("write-a-short-...") and
    differ at the end, so both ends stay readable."""
    if len(text) <= width:
        return text
    head = (width - 1) // 2
    return text[:head] + "…" + text[len(text) - (width - 1 - head) :]
