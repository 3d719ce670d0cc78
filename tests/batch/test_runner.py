"""The runner over a stand-in executor (the one small interface a distributed executor would implement):
the concurrency and agent caps, per-project order, the index rows gathered into few transactions, and no item
reported before its files are fsynced."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core import fsutil
from core.audit.index import Index
from core.batch.manifest import Item
from core.batch.runner import Batch, ItemView, Options
from core.config import Config, ModelConfig, TierConfig
from core.engine import DispatchRequest, Engine, LintMemo
from core.envelope import Envelope, Status
from core.events import Event, Finished, RunStarted
from core.spec import Finding
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import GOOD_SPEC


class CountingExecutor:
    """Runs nothing: holds each item a moment and says how many were in flight at once."""

    def __init__(self) -> None:
        self.inside = 0
        self.peak = 0
        self.order: list[tuple[str, int]] = []

    def running(self) -> contextlib.AbstractAsyncContextManager[object]:
        return contextlib.nullcontext()

    async def run(self, request: DispatchRequest) -> AsyncIterator[Event]:
        self.inside += 1
        self.peak = max(self.peak, self.inside)
        self.order.append((request.slug or "", request.extras["batch_item"]))
        yield RunStarted(f"run-{request.extras['batch_item']}", request.slug or "", "openai", "m", None, None, "")
        await asyncio.sleep(0.01)
        self.inside -= 1
        yield Finished(
            Envelope(
                run_id=f"run-{request.extras['batch_item']}", slug=request.slug or "", status=Status.OK, cost_usd=0.0
            )
        )


def config(base_url: str = "http://127.0.0.1:9/v1") -> Config:
    return Config(
        models={"m": ModelConfig(name="m", base_url=base_url)},
        tiers={"general": TierConfig("general", ["m"], ["general"])},
    )


def items(count: int, slug: str | None = None) -> list[Item]:
    return [
        Item(n, f"item {n}", spec_text=GOOD_SPEC.replace("Fewer crashes.", f"Fewer crashes {n}."), slug=slug)
        for n in range(1, count + 1)
    ]


async def test_concurrency_is_capped_and_one_projects_items_keep_their_order(isolated: Path) -> None:
    executor = CountingExecutor()
    work = items(12) + [Item(13 + n, "p", spec_text=GOOD_SPEC, slug="one-project") for n in range(4)]
    batch = Batch.plan(config(), work, Options(concurrency=3), executor=executor)
    summary = await batch.run()
    assert summary["ok"] == 16 and executor.peak == 3
    shared = [index for slug, index in executor.order if slug == "one-project"]
    assert shared == sorted(shared) and len(shared) == 4


async def test_a_batch_writes_its_index_rows_in_few_transactions(isolated: Path) -> None:
    with FakeOpenAI([Reply(text="ok")]) as server:
        batch = Batch.plan(config(server.base_url), items(30), Options(concurrency=10))
        summary = await batch.run()
    assert summary["ok"] == 30
    assert 1 <= batch.index.commits < 30  # 30 runs, each with a started and a finished row: far fewer commits
    with Index.open() as index:
        assert index.count_runs() == 30 and index.count_runs(status="ok") == 30


async def test_an_item_is_reported_only_once_its_files_are_fsynced(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: set[str] = set()
    real_fsync = fsutil._fsync_path

    def fsync(path: Path) -> None:
        real_fsync(path)
        synced.add(str(path))

    monkeypatch.setattr(fsutil, "_fsync_path", fsync)
    early: list[int] = []

    def reported(view: ItemView) -> None:
        if not {view.audit_path, view.audit_path.replace("-result.json", "-events.jsonl")} <= synced:
            early.append(view.item.index)

    with FakeOpenAI([Reply(text="ok")]) as server:
        batch = Batch.plan(config(server.base_url), items(12), Options(concurrency=4))
        summary = await batch.run(on_item=reported)
    assert summary["ok"] == 12 and early == []


async def test_a_runs_record_written_at_its_start_and_end_is_fsynced_once(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    monkeypatch.setattr(fsutil, "_fsync_path", lambda path: synced.append(str(path)))
    with FakeOpenAI([Reply(text="ok", hang=0.05)]) as server:
        work = [Item(n, "p", spec_text=GOOD_SPEC, slug="one-project") for n in range(4)]
        batch = Batch.plan(config(server.base_url), work, Options(concurrency=2))
        summary = await batch.run()
    assert summary["ok"] == 4 and batch.index.commits >= 2
    assert [synced.count(view.audit_path) for view in batch.views] == [1, 1, 1, 1]


async def test_each_item_is_linted_once_and_its_run_keeps_the_plans_findings(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real_check = Engine.check

    def check(engine: Engine, request: DispatchRequest, memo: LintMemo | None = None) -> list[Finding]:
        checked.append(request.spec_text)
        return real_check(engine, request, memo)

    monkeypatch.setattr(Engine, "check", check)
    with FakeOpenAI([Reply(text="ok")]) as server:
        batch = Batch.plan(config(server.base_url), items(3), Options(concurrency=3))
        summary = await batch.run()
    assert summary["ok"] == 3 and sorted(checked) == sorted(item.spec_text for item in items(3))
    for view in batch.views:
        assert view.envelope is not None
        assert view.envelope.findings == [f.to_dict() for f in view.findings]


def test_planning_reports_each_item_checked_and_lints_a_repeated_spec_once(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core import spec as specs

    linted: list[str] = []
    real_lint = specs.lint

    def counting_lint(text: str, *args: object, **kwargs: object) -> list[Finding]:
        linted.append(text)
        return real_lint(text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(specs, "lint", counting_lint)
    work = [Item(n, f"item {n}", spec_text=GOOD_SPEC) for n in range(1, 6)] + items(2)
    heard: list[tuple[int, int]] = []
    batch = Batch.plan(config(), work, Options(), on_checked=lambda done, total: heard.append((done, total)))
    assert heard == [(n, 7) for n in range(1, 8)]
    assert len(linted) == 3, "five identical specs linted once, and each of the two others once"
    assert not batch.rejected and all(view.findings == batch.views[0].findings for view in batch.views[1:5])
