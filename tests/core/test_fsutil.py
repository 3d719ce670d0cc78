"""Crash-safe file primitives (core/fsutil.py): a group commit's parts, atomic writes, capped reads."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from core import fsutil
from core.fsutil import GroupCommit, TooLarge, atomic_write_json, read_text_capped


def test_a_part_is_synced_by_the_sync_that_names_it_and_the_groups_end_syncs_any_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: Counter[str] = Counter()
    monkeypatch.setattr(fsutil, "_fsync_path", lambda path: synced.update([path.name]))
    with GroupCommit() as group:
        with group.part() as first:
            atomic_write_json(tmp_path / "first.json", {"n": 1})
            atomic_write_json(tmp_path / "first.json", {"n": 2})
        atomic_write_json(tmp_path / "own.json", {})
        group.sync()
        assert synced == {"own.json": 1, tmp_path.name: 1}, "a part waits for its own sync"
        group.sync([first])
        assert synced["first.json"] == 1, "written twice, synced once"
        with group.part():
            atomic_write_json(tmp_path / "left.json", {})
    assert synced["left.json"] == 1 and synced["first.json"] == 1


def test_an_atomic_write_makes_the_directories_it_needs_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "made" / "on" / "demand.json"
    atomic_write_json(target, {"n": 1})
    atomic_write_json(target, {"n": 2})
    assert target.read_text() == '{\n  "n": 2\n}\n' and [p.name for p in target.parent.iterdir()] == ["demand.json"]


def test_a_capped_text_read_ends_lines_as_text_mode_does_and_refuses_past_its_limit(tmp_path: Path) -> None:
    spec = tmp_path / "crlf.md"
    spec.write_bytes(b"## Goal\r\nDo it.\r\n## Output\rOne word.\n")
    assert read_text_capped(spec, 1024) == "## Goal\nDo it.\n## Output\nOne word.\n"
    with pytest.raises(TooLarge):
        read_text_capped(spec, 10)
    with open("/dev/zero", "rb") as endless, pytest.raises(TooLarge):
        read_text_capped(endless, 1024)
