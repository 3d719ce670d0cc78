"""A batch's gathered index writes (core/audit/batched_index.py): a run's started row waits for its finished one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.audit.batched_index import STARTED_WAIT_S, BatchedIndexWriter
from core.audit.index_writer import IndexWriter


def row(run_id: str, status: str) -> dict[str, Any]:
    return {"run_id": run_id, "status": status}


def test_a_started_row_alone_in_its_project_waits_a_while_and_a_finished_row_replaces_it(
    projects_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flushed: list[dict[str, list[tuple[str, str]]]] = []

    def record(writer: IndexWriter, records: dict[str, list[dict[str, Any]]]) -> None:
        flushed.append({slug: [(r["run_id"], r["status"]) for r in runs] for slug, runs in records.items()})

    monkeypatch.setattr(IndexWriter, "record_projects", record)
    clock = [100.0]
    index = BatchedIndexWriter(clock=lambda: clock[0])
    index("quick", [row("q", "running")])
    index("slow", [row("s", "running")])
    index("mixed", [row("m1", "ok"), row("m2", "running")])
    index.flush()
    index("quick", [row("q", "ok")])
    index.flush()
    clock[0] += STARTED_WAIT_S
    index.flush()
    index("late", [row("l", "running")])
    index.close()
    assert flushed == [
        {"mixed": [("m1", "ok"), ("m2", "running")]},
        {"quick": [("q", "ok")]},
        {"slow": [("s", "running")]},
        {"late": [("l", "running")]},
    ], "a project with a row to write writes all it has; closing writes every row left"


async def test_a_batch_with_nothing_finishing_still_flushes_its_held_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Long agent runs at -j 4: no item ends for minutes, yet their started rows must reach the index."""
    import asyncio

    from core.batch import durable
    from core.fsutil import GroupCommit

    flushes: list[int] = []

    class Index:
        def flush(self) -> None:
            flushes.append(1)

    monkeypatch.setattr(durable, "STARTED_WAIT_S", 0.01)
    committer: durable.Committer[object] = durable.Committer(Index(), GroupCommit(), print, print)  # type: ignore[arg-type]
    loop = asyncio.create_task(committer.loop())
    async with asyncio.timeout(30):  # a hang guard, not a timing: nothing was added, so only an idle wake flushes
        while len(flushes) < 2:
            await asyncio.sleep(0.01)
    loop.cancel()
