"""Refused dispatches are kept for the console's inbox, newest first, and keeping one never gets in the way."""

from __future__ import annotations

from pathlib import Path

import pytest

from core import paths
from core.audit import refusals


def test_refusals_are_kept_newest_first() -> None:
    for number in range(3):
        refusals.record(f"task-{number}", "shipped-prose", "run", f"refused {number}")
    rows = refusals.recent(2)
    assert [(r["slug"], r["error"]) for r in rows] == [("task-2", "refused 2"), ("task-1", "refused 1")]
    assert all(r["at"] and r["task_type"] == "shipped-prose" for r in rows)


def test_an_unwritable_trail_does_not_stop_a_refusal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the state folder's parent should be")
    monkeypatch.setenv("DISPATCH_HOME", str(blocker))
    assert paths.state_dir().parent == blocker
    refusals.record("task", None, "run", "refused")
    assert refusals.recent() == []
