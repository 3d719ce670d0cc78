"""The index's writing side (core/audit/index_writer.py): the engine's kept writer never fails a run."""

from __future__ import annotations

from pathlib import Path

import pytest

from core import paths
from core.audit.index import Index
from core.audit.index_writer import RunIndex
from tests.core.test_index import add_run


def test_an_index_that_cannot_be_written_is_a_warning_and_the_next_write_reopens_it(projects_dir: Path) -> None:
    record = add_run("kept", 1, result="first words")
    blocker = paths.index_path()
    blocker.mkdir(parents=True)  # a directory where the database file should be
    index = RunIndex()
    warning = index("kept", [record])
    assert warning is not None and "the run is saved, `dispatch reindex` repairs it" in warning
    blocker.rmdir()
    assert index("kept", [add_run("kept", 2, result="second words")]) is None
    index.close()
    with Index.open(check=False) as reader:
        assert reader.count_runs("kept") == 2 and reader.search("second")[0].run.run_id.endswith("-2")


def test_a_kept_writer_moves_with_the_projects_dir(
    projects_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = RunIndex()
    try:
        assert index("here", [add_run("here", 1)]) is None
        first = paths.index_path()
        monkeypatch.setenv("DISPATCH_PROJECTS_DIR", str(tmp_path / "elsewhere"))
        assert index("there", [add_run("there", 1)]) is None
        assert paths.index_path() != first
    finally:
        index.close()
    with Index.open(check=False) as reader:
        assert [p.slug for p in reader.projects()] == ["there"]
