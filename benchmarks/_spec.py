"""A spec that passes the checklist, for benchmarks that dispatch: a rejected spec returns at once, so a
benchmark timing it measures nothing (console_stream once reported the engine at 1 ms this way)."""

from __future__ import annotations

from core.envelope import Envelope, Status


def clean_spec(goal: str, output: str) -> str:
    """The goal and output given, with every other section the checklist asks for filled in plainly."""
    return (
        f"## Goal\n{goal}\n\n"
        "## Non-goals\nNothing beyond the goal; this is a load test.\n\n"
        "## Inputs\nNone: everything needed is in this spec.\n\n"
        f"## Output\n{output}\n\n"
        "## Verification\nThe benchmark checks the run ended ok.\n\n"
        "## Escalation\nNone: the run is local and thrown away.\n"
    )


def check_ok(envelope: Envelope) -> Envelope:
    """Stop the benchmark with one line if the run did not succeed, rather than report a meaningless time."""
    if envelope.status is not Status.OK:
        raise SystemExit(f"benchmark run ended {envelope.status}: {envelope.error or envelope.reason or ''}")
    return envelope
