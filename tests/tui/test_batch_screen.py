"""The Batch screen: start a folder of specs against the fake server and watch it finish, refuse a folder with
rejected specs, open an item's run, cancel a batch in flight, a headless batch shown from its trail, and the
source picker (click a manifest, choose a folder, cancel)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from core.batch import manifest, trail
from core.batch.manifest import Item
from core.batch.runner import Batch
from core.fsutil import atomic_write_json
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import GOOD_SPEC, ROOT, write
from tests.tui.conftest import routed_config, steady, wait_for
from tui.screens.batch import BatchScreen
from tui.screens.file_picker import FilePickerScreen, SourceTree
from tui.screens.run_detail import RunDetailScreen


def specs(folder: Path, count: int) -> Path:
    for n in range(count):
        write(folder / f"s{n}.md", GOOD_SPEC.replace("3. Fewer crashes.", f"3. Fewer crashes. Item {n}."))
    return folder


async def open_batch(pilot) -> BatchScreen:
    await pilot.press("b")  # from the dashboard
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, BatchScreen), "the batch screen")
    screen = pilot.app.screen
    totals = screen.query_one("#batch-totals", Static)
    await wait_for(pilot, lambda: bool(str(totals.content)), "the batch screen's first totals line")
    return screen


async def test_a_folder_runs_to_the_end_and_an_item_opens(app_factory, fake: FakeOpenAI, isolated: Path) -> None:
    folder = specs(isolated / "specs", 4)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_batch(pilot)
        screen.query_one("#batch-source", Input).value = str(folder)
        screen.query_one("#batch-concurrency", Input).value = "2"
        await pilot.click("#batch-start")
        await wait_for(pilot, lambda: screen.shown is not None and screen.current_batch is None, "the batch to end")
        await pilot.pause()
        assert [row.status for row in screen.rows] == ["ok"] * 4
        assert len(fake.requests) == 4
        records, _ = trail.BatchTrail.open(screen.shown).records()
        assert {r.status for r in records.values()} == {"ok"}
        assert "4 ok" in str(screen.query_one("#batch-totals").render())
        table = screen.query_one("#batch-items", DataTable)
        table.focus()
        table.move_cursor(row=2)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen), "the run record")


async def test_rejected_specs_are_refused_and_nothing_is_sent(app_factory, fake: FakeOpenAI, isolated: Path) -> None:
    folder = specs(isolated / "specs", 2)
    write(folder / "bad.md", "just do it\n")
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_batch(pilot)
        screen.query_one("#batch-source", Input).value = str(folder)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: not screen.planning, "the plan, made in a thread")
        assert screen.current_batch is None and screen.shown is None and fake.requests == []
        assert any("rejected" in (n.title or "") for n in app._notifications)


async def test_cancel_interrupts_the_items_in_flight(app_factory, isolated: Path) -> None:
    with FakeOpenAI([Reply(hang=30)]) as slow:
        app = app_factory(config=routed_config(slow.base_url, isolated / "home"))
        folder = specs(isolated / "specs", 3)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_batch(pilot)
            screen.query_one("#batch-source", Input).value = str(folder)
            await pilot.click("#batch-start")
            await wait_for(pilot, lambda: len(slow.requests) == 3, "the requests to reach the server")
            await pilot.click("#batch-cancel")
            await wait_for(pilot, lambda: screen.current_batch is None, "the batch to stop")
            await pilot.pause()
            assert {row.status for row in screen.rows} == {"interrupted"}
            assert trail.BatchTrail.open(screen.shown).meta()["status"] == "interrupted"


async def test_cancel_stops_a_batch_another_process_runs(app_factory, isolated: Path) -> None:
    folder = specs(isolated / "specs", 3)
    with FakeOpenAI([Reply(hang=30)]) as slow:
        headless = subprocess.Popen(
            [sys.executable, "-m", "core", "batch", str(folder), "-j", "1", "--json"],
            cwd=ROOT,
            env={**os.environ, "DISPATCH_BASE_URL": slow.base_url},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            app = app_factory()
            async with app.run_test(size=(120, 40)) as pilot:
                screen = await open_batch(pilot)
                await wait_for(pilot, lambda: len(slow.requests) == 1, "the headless batch's first request")
                await wait_for(pilot, lambda: screen.shown is not None, "the headless batch listed")
                await pilot.click("#batch-cancel")
                await wait_for(pilot, lambda: headless.poll() is not None, "the headless batch to stop")
        finally:
            headless.kill()
            _, err = headless.communicate()
    assert headless.returncode == 130, err.decode()
    assert trail.BatchTrail.open(screen.shown).meta()["status"] == "interrupted"


def seed_headless_batch() -> str:
    """A batch another process runs, as its trail says: two done, one running, one pending."""
    batch_id = "batch-20261121-115800-4242"
    root = trail.batches_dir() / batch_id
    items = [Item(n, f"specs/s{n}.md", spec_text=GOOD_SPEC, slug=f"release-note-{n}") for n in range(1, 5)]
    atomic_write_json(root / "manifest.json", {"batch_id": batch_id, "items": [i.to_dict() for i in items]})
    atomic_write_json(
        root / "batch.json",
        {"batch_id": batch_id, "created": "2026-11-21T11:58:00.000+00:00", "total": 4, "status": "finished"},
    )
    records = [
        trail.ItemRecord(
            1,
            "finished",
            "ok",
            "20261121-115801-4242-1",
            "release-note-1",
            "default",
            cost_usd=0.0011,
            input_tokens=1200,
            output_tokens=345,
            duration_ms=2500,
            at="2026-11-21T11:58:03.000+00:00",
        ),
        trail.ItemRecord(
            2,
            "finished",
            "error",
            "20261121-115801-4242-2",
            "release-note-2",
            "default",
            error="boom",
            duration_ms=900,
            at="2026-11-21T11:58:02.000+00:00",
        ),
        trail.ItemRecord(
            3, "started", "", "20261121-115804-4242-3", "release-note-3", "default", at="2026-11-21T11:59:30.000+00:00"
        ),
    ]
    for record in records:
        found = trail.BatchTrail(batch_id, root)
        found.write(record)
        found._lines.close()  # noqa: SLF001 - written as another process would, then let go
    return batch_id


async def test_a_headless_batch_shows_from_its_trail(app_factory, isolated: Path) -> None:
    batch_id = seed_headless_batch()
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_batch(pilot)
        await pilot.pause()
        assert screen.shown == batch_id
        assert [row.status for row in screen.rows] == ["ok", "error", "running", "pending"]
        assert screen.rows[2].elapsed_s == 30.0  # from the frozen clock


async def test_the_trails_are_read_in_a_thread_not_on_the_loop(app_factory, isolated: Path, monkeypatch) -> None:
    seed_headless_batch()
    on_loop: list[bool] = []
    recent, snapshot = trail.recent, trail.BatchTrail.snapshot

    def spy_recent(*args, **kwargs):
        on_loop.append(threading.current_thread() is threading.main_thread())
        return recent(*args, **kwargs)

    def spy_snapshot(self):
        on_loop.append(threading.current_thread() is threading.main_thread())
        return snapshot(self)

    monkeypatch.setattr(trail, "recent", spy_recent)
    monkeypatch.setattr(trail.BatchTrail, "snapshot", spy_snapshot)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_batch(pilot)
        await wait_for(pilot, lambda: len(screen.rows) == 4, "the headless batch's items")
        await wait_for(pilot, lambda: len(on_loop) >= 4, "a poll of the trails after the first read")
    assert not any(on_loop), "the list and the items are read off the event loop, polls included"


async def test_start_plans_and_records_the_batch_in_a_thread_not_on_the_loop(
    app_factory, fake: FakeOpenAI, isolated: Path, monkeypatch
) -> None:
    folder = specs(isolated / "specs", 3)
    on_loop: dict[str, bool] = {}  # what Start did: read the specs, lint them, record the batch; on the loop?
    from_paths, plan, create = manifest.from_paths, Batch.plan.__func__, trail.BatchTrail.create.__func__

    def spy_from_paths(arguments):
        on_loop["read"] = threading.current_thread() is threading.main_thread()
        return from_paths(arguments)

    def spy_plan(cls, *args, **kwargs):
        on_loop["lint"] = threading.current_thread() is threading.main_thread()
        return plan(cls, *args, **kwargs)

    def spy_create(cls, *args, **kwargs):
        on_loop["record"] = threading.current_thread() is threading.main_thread()
        return create(cls, *args, **kwargs)

    monkeypatch.setattr(manifest, "from_paths", spy_from_paths)
    monkeypatch.setattr(Batch, "plan", classmethod(spy_plan))
    monkeypatch.setattr(trail.BatchTrail, "create", classmethod(spy_create))
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_batch(pilot)
        screen.query_one("#batch-source", Input).value = str(folder)
        await pilot.click("#batch-start")
        await wait_for(pilot, lambda: screen.shown is not None and screen.current_batch is None, "the batch to end")
        assert [row.status for row in screen.rows] == ["ok"] * 3
    assert on_loop == {"read": False, "lint": False, "record": False}, "Start plans and records off the loop"


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_batch_screen_snapshot(size, snap_compare, app_factory, isolated: Path) -> None:
    """At 80 columns too, nothing is cut off: the list sits above the items and the form's fields shrink."""
    seed_headless_batch()

    async def before(pilot) -> None:
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, BatchScreen), "the batch screen")
        await steady(pilot)

    app = app_factory(config=routed_config("http://127.0.0.1:9/v1", Path("/home/user/.config/dispatch")))
    assert snap_compare(app, terminal_size=size, run_before=before)


def workspace(root: Path) -> Path:
    """A working directory as a person has one: a folder of specs, two manifests, and files a batch cannot read."""
    specs(root / "specs", 2)
    write(root / "work.jsonl", "\n".join(f'{{"spec": "specs/s{n}.md", "slug": "picked-{n}"}}' for n in range(2)))
    write(root / "tickets.csv", "spec,slug\nspecs/s0.md,ticket-0\n")
    write(root / "notes.png", "not a spec")
    write(root / ".hidden.md", GOOD_SPEC)
    return root


async def open_picker(pilot) -> SourceTree:
    await pilot.click("#batch-browse")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, FilePickerScreen), "the file picker")
    tree = pilot.app.screen.query_one(SourceTree)
    await wait_for(pilot, lambda: len(tree.root.children) == 3, "the working directory listed")
    await pilot.pause()
    return tree


async def test_browse_picks_a_manifest_by_clicking_it_and_the_batch_runs(
    app_factory, fake: FakeOpenAI, isolated: Path
) -> None:
    app = app_factory(cwd=workspace(isolated / "work"))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_batch(pilot)
        tree = await open_picker(pilot)
        assert [str(node.label) for node in tree.root.children] == ["specs", "tickets.csv", "work.jsonl"]
        await pilot.click("#picker-tree", offset=(8, 3))  # line 3: work.jsonl
        await wait_for(pilot, lambda: app.screen is screen, "the picker to close")
        assert screen.query_one("#batch-source", Input).value == "work.jsonl"
        await pilot.click("#batch-start")
        await wait_for(pilot, lambda: screen.shown is not None and screen.current_batch is None, "the batch to end")
        await pilot.pause()
        assert [(row.slug, row.status) for row in screen.rows] == [("picked-0", "ok"), ("picked-1", "ok")]
        assert len(fake.requests) == 2


async def test_browse_chooses_a_folder_and_cancel_keeps_the_field(app_factory, isolated: Path) -> None:
    app = app_factory(cwd=workspace(isolated / "work"))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_batch(pilot)
        source = screen.query_one("#batch-source", Input)
        tree = await open_picker(pilot)
        await pilot.press("down")  # from the root to specs/
        assert tree.cursor_node is not None and str(tree.cursor_node.label) == "specs"
        await pilot.click("#picker-choose")
        await wait_for(pilot, lambda: app.screen is screen, "the picker to close")
        assert source.value == "specs"
        await open_picker(pilot)
        await pilot.click("#picker-cancel")
        await wait_for(pilot, lambda: app.screen is screen, "the picker to close")
        assert source.value == "specs"


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_file_picker_snapshot(size, snap_compare, app_factory, isolated: Path) -> None:
    async def before(pilot) -> None:
        await open_batch(pilot)
        await open_picker(pilot)
        await pilot.press("down", "down")
        await steady(pilot)

    app = app_factory(
        cwd=workspace(isolated / "work"),
        config=routed_config("http://127.0.0.1:9/v1", Path("/home/user/.config/dispatch")),
    )
    assert snap_compare(app, terminal_size=size, run_before=before)
