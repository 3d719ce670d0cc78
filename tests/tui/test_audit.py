"""The dashboard and the audit browser over the run index: listing, paging, search, filters, and runs that
another process writes appearing while the console is open."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from rich.cells import cell_len
from textual.widgets import DataTable, Input, Select

from tests.helpers import GOOD_SPEC, ROOT, write
from tests.tui.conftest import loaded, seed_run, wait_for
from tui.screens.audit import PAGE, AuditScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.run_detail import RunDetailScreen
from tui.widgets.runs_table import RunsTable


def seed_many(count: int, slug: str = "bulk-notes") -> None:
    for number in range(count):
        seed_run(
            slug,
            f"20261121-10{number // 60:02d}{number % 60:02d}-1-{number}",
            status="error" if number % 10 == 0 else "ok",
            result=f"answer number {number}" + (" with a pelican" if number == 7 else ""),
            started_at=f"2026-11-21T10:{number // 60:02d}:{number % 60:02d}.000+00:00",
        )


async def test_audit_browser_pages_searches_filters_and_opens_a_run(app_factory) -> None:
    seed_many(120)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f4")
        await loaded(pilot)
        audit = app.screen
        assert isinstance(audit, AuditScreen)
        table = audit.query_one("#runs", RunsTable)
        assert audit.total == 120 and table.row_count == PAGE
        first_page = {table.rows[i][0] for i in range(table.row_count)}
        table.focus()
        await pilot.press("right_square_bracket")
        await loaded(pilot)
        assert audit.page == 1 and table.row_count == PAGE
        assert first_page.isdisjoint(table.rows[i][0] for i in range(table.row_count))
        await pilot.press("right_square_bracket")
        await loaded(pilot)
        await pilot.press("right_square_bracket")
        await loaded(pilot)
        assert audit.page == 2 and table.row_count == 20

        audit.query_one("#status", Select).value = "error"
        await pilot.pause()
        await loaded(pilot)
        assert audit.total == 12 and audit.page == 0

        audit.query_one("#status", Select).clear()
        audit.query_one("#since", Input).value = "2026-11-21T10:01:00"
        audit.query_one("#since", Input).focus()
        await pilot.press("enter")
        await loaded(pilot)
        assert audit.total == 60
        audit.query_one("#tier", Select).value = "coding"
        await pilot.pause()
        await loaded(pilot)
        assert audit.total == 0
        await pilot.press("escape")
        await loaded(pilot)
        assert audit.total == 120

        await pilot.press("slash", *"pelican", "enter")
        await loaded(pilot)
        assert audit.total == 1 and table.rows[0][0] == "20261121-100007-1-7"
        await pilot.press("enter")
        assert isinstance(app.screen, RunDetailScreen) and app.screen.run_id == "20261121-100007-1-7"


async def test_dashboard_lists_projects_and_the_inbox(app_factory) -> None:
    seed_run("release-note", "20261121-110000-1-1", started_at="2026-11-21T11:00:00.000+00:00")
    seed_run(
        "blocked-task",
        "20261121-110500-1-1",
        status="blocked",
        error="needs the API schema",
        started_at="2026-11-21T11:05:00.000+00:00",
    )
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        dash = app.screen
        assert isinstance(dash, DashboardScreen)
        projects = dash.query_one("#projects", DataTable)
        assert [str(projects.get_row_at(i)[0]) for i in range(projects.row_count)] == ["blocked-task", "release-note"]
        assert [(item.kind, item.slug) for item in dash.items] == [("blocked", "blocked-task")]
        dash.query_one("#projects", DataTable).focus()
        await pilot.press("down", "enter")
        await loaded(pilot)
        assert isinstance(app.screen, AuditScreen) and app.screen.slug == "release-note"
        audit = app.screen
        assert audit.focused is audit.query_one("#runs", RunsTable), "enter opens a run from here at once"
        projects_list = audit.query_one("#audit-projects")
        assert projects_list.get_option_at_index(projects_list.highlighted).id == "release-note"
        assert app.screen.total == 1


async def test_a_run_written_by_a_headless_process_appears_in_the_browser(app_factory, fake, isolated: Path) -> None:
    spec = write(isolated / "task.md", GOOD_SPEC)
    app = app_factory(watch=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f4")
        audit = app.screen
        await wait_for(
            pilot, lambda: any(w.name == "watch-projects" and w.is_running for w in app.workers), "the watcher to start"
        )
        assert audit.total == 0
        env = {**os.environ, "DISPATCH_BASE_URL": fake.base_url}
        proc = subprocess.run(
            [sys.executable, "-m", "core", "--no-ui", "run", "--spec", str(spec), "--slug", "from-an-agent", "--json"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        await wait_for(pilot, lambda: audit.total == 1, "the headless run to appear")
        table = audit.query_one("#runs", RunsTable)
        assert table.rows[0][1] == "from-an-agent"


async def test_a_session_pages_from_the_index_past_any_scan_limit(app_factory) -> None:
    for number in range(60):
        seed_run(
            "chatty",
            f"20261121-12{number // 60:02d}{number % 60:02d}-1-{number}",
            session_id="sess-long",
            started_at=f"2026-11-21T12:{number // 60:02d}:{number % 60:02d}.000+00:00",
        )
    for number in range(5):
        seed_run(
            "chatty",
            f"20261121-130{number}00-1-{number}",
            session_id="sess-other",
            started_at=f"2026-11-21T13:0{number}:00.000+00:00",
        )
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f4")
        audit = app.screen
        audit.show_project("chatty")
        audit.session = "sess-long"
        audit.reload_runs()
        await loaded(pilot)
        table = audit.query_one("#runs", RunsTable)
        assert audit.total == 60 and table.row_count == PAGE
        await pilot.press("right_square_bracket")
        await loaded(pilot)
        assert audit.page == 1 and table.row_count == 10
        assert all(audit.row_runs[table.keys[i]][1].startswith("20261121-12") for i in range(table.row_count))


async def test_a_run_whose_verification_failed_is_in_the_inbox(app_factory) -> None:
    from core.engine import DispatchRequest

    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        live = app.start_dispatch(DispatchRequest(spec_text=GOOD_SPEC, verify="false"))
        await wait_for(pilot, lambda: live.done, "the run and its check to finish")
        assert live.envelope.reason == "verify_failed"
        await pilot.press("f2")
        dash = app.screen
        assert isinstance(dash, DashboardScreen)
        await wait_for(pilot, lambda: bool(dash.items), "the dashboard to reload")
        assert [(item.kind, item.run_id) for item in dash.items] == [("verify failed", live.run_id)]
        assert "verification failed" in dash.items[0].detail


async def test_a_headless_refusal_is_in_the_inbox_of_a_console_opened_later(app_factory, isolated: Path) -> None:
    spec = write(isolated / "prose.md", GOOD_SPEC.replace("Task type: general", "Task type: shipped-prose"))
    proc = subprocess.run(
        [sys.executable, "-m", "core", "--no-ui", "run", "--spec", str(spec), "--json"],
        env=os.environ,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0 and "never dispatched" in proc.stderr + proc.stdout
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        dash = app.screen
        assert isinstance(dash, DashboardScreen)
        assert [(item.kind, item.slug) for item in dash.items] == [("refused", "summarise-the-three-numbered-points")]
        assert "never dispatched" in dash.items[0].detail and dash.items[0].when
        dash.query_one("#inbox", DataTable).focus()
        await pilot.press("enter")
        assert isinstance(app.screen, DashboardScreen)
        assert any("fix it in the editor" in str(n.message) for n in app._notifications)


async def test_updated_ages_tick_and_other_processes_dispatches_are_running(app_factory) -> None:
    """A run another process is running (its record says running and it holds the project lock) is in the
    Running panel with its elapsed time ticking, and the projects' and the inbox's ages move with the clock."""
    from datetime import timedelta

    from core.audit.store import Project
    from tests.tui.conftest import FROZEN_NOW

    seed_run("release-note", "20261121-115900-1-1", started_at="2026-11-21T11:59:50.000+00:00")
    seed_run("stuck-job", "20261121-115940-1-1", status="blocked", started_at="2026-11-21T11:59:40.000+00:00")
    seed_run("headless-job", "20261121-115930-1-1", status="ok", started_at="2026-11-21T11:59:30.000+00:00")
    record = Project.at("headless-job").read_run("20261121-115930-1-1")
    from core.fsutil import atomic_write_json

    atomic_write_json(Project.at("headless-job").result_path("20261121-115930-1-1"), {**record, "status": "running"})
    Project.at("headless-job").ensure("headless job project", "openai")
    now = [FROZEN_NOW]
    lock = Project.at("headless-job").lock().acquire()
    try:
        app = app_factory(now=lambda: now[0])
        async with app.run_test(size=(120, 40)) as pilot:
            await loaded(pilot)
            dash = app.screen
            running = dash.query_one("#running", DataTable)
            await wait_for(pilot, lambda: running.row_count == 1, "the other process's dispatch")
            assert "headless-job" in str(running.get_row_at(0)[0]) and running.get_row_at(0)[3] == "30.0 s"
            projects = dash.query_one("#projects", DataTable)
            updated = projects.ordered_columns[-1].key
            assert projects.get_cell("release-note", updated) == "10s ago"
            inbox = dash.query_one("#inbox", DataTable)
            assert inbox.get_row_at(0)[2] == "20s ago"
            now[0] = FROZEN_NOW + timedelta(seconds=20)
            await wait_for(pilot, lambda: projects.get_cell("release-note", updated) == "30s ago", "the age to tick")
            await wait_for(pilot, lambda: inbox.get_row_at(0)[2] == "40s ago", "the inbox's When to tick")
            await wait_for(pilot, lambda: running.get_row_at(0)[3] == "50.0 s", "the elapsed time to tick")
    finally:
        lock.release()


async def test_the_browser_marks_runs_that_audit_verify_would_report(app_factory) -> None:
    run_ids = [f"20261121-140{number}00-1-{number}" for number in range(4)]
    for number, run_id in enumerate(run_ids):
        seed_run("kept", run_id, started_at=f"2026-11-21T14:0{number}:00.000+00:00")
    from core.audit.store import Project

    project = Project.at("kept")
    edited = project.read_run(run_ids[1])
    project.result_path(run_ids[1]).write_text(json.dumps({**edited, "result": "An answer typed in later."}))
    project.result_path(run_ids[2]).unlink()
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f4")
        audit = app.screen
        audit.show_project("kept")
        await loaded(pilot)
        table = audit.query_one("#runs", RunsTable)
        statuses = {str(table.rows[i][0]): str(table.rows[i][3]) for i in range(table.row_count)}
        assert statuses == {run_ids[0]: "ok", run_ids[1]: "⚠ edited", run_ids[3]: "ok"}
        pager = str(audit.query_one("#pager").render())
        assert "⚠ chain: 2 problem(s) (edited, missing), see `dispatch audit verify`" in pager
        later = project.read_run(run_ids[3])
        project.result_path(run_ids[3]).write_text(json.dumps({**later, "status": "error"}))
        audit.reload_runs()
        await loaded(pilot)
        assert str(table.rows[0][3]) == "⚠ edited", "an edit made while the browser is open is found"
        audit.show_project(None)
        await loaded(pilot)
        assert "chain" not in str(audit.query_one("#pager").render()), "marks are of the selected project only"


LONG_ID = "20261203-131129-1234567-1"
"""A run id with a 7-digit pid: 25 characters."""


def cut(table: DataTable | RunsTable, *labels: str) -> list[str]:
    """The cells of the named columns that are wider than their column (the table cuts them at its edge)."""
    if isinstance(table, RunsTable):
        columns = [(column.label, width) for column, width in zip(table.spec, table.widths, strict=True)]
        rows = table.rows
    else:
        columns = [(str(column.label), column.width) for column in table.ordered_columns]
        rows = [table.get_row_at(row) for row in range(table.row_count)]
    chosen = [(index, label, width) for index, (label, width) in enumerate(columns) if label in labels]
    assert len(chosen) == len(labels), [label for label, _ in columns]
    return [
        f"{label}: {row[index]!r} in {width}"
        for row in rows
        for index, label, width in chosen
        if cell_len(str(row[index])) > width
    ]


async def test_run_ids_and_small_costs_read_in_full_or_cut_in_the_middle(app_factory) -> None:
    """A real pid makes the id longer than the seeded ones, and $0.000017 is nine characters: at 120 columns both
    read whole in the audit browser and the cost on the dashboard; at 80 the id is cut in the middle, never at its end."""
    seed_run("release-note", LONG_ID, cost_usd=0.000017, started_at="2026-12-03T13:11:29.000+00:00")
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert not cut(app.screen.query_one("#projects", DataTable), "Cost")
        await pilot.press("f4")
        await loaded(pilot)
        table = app.screen.query_one("#runs", RunsTable)
        assert table.rows[0][0] == LONG_ID and table.rows[0][-1] == "$0.000017"
        assert not cut(table, "Run", "Cost")
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: len(table.spec) == 4, "the narrow columns")
        await loaded(pilot)
        shown = table.rows[0][0]
        assert "…" in shown and shown.startswith("20261203-1") and shown.endswith("567-1"), shown
        assert not cut(table, "Run", "Cost")


async def test_a_run_that_ends_leaves_the_running_panel_whether_the_dashboard_is_in_front_or_not(
    app_factory, fake
) -> None:
    """The load a run's end brings must not keep its row: it used to reset what the panel showed to nothing without
    clearing it, so the tick after it saw nothing to change and "none running" sat under a stale row."""
    import threading

    from tests.fakes.openai_server import Reply
    from tests.helpers import GOOD_SPEC
    from tests.tui.conftest import type_spec

    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        dash = app.screen
        running = dash.query_one("#running", DataTable)
        for away in (False, True):
            gate = threading.Event()
            fake.replies = [Reply(text="one sentence, kept. " * 3, chunks=3, gate=gate)]
            await pilot.press("f3")
            type_spec(pilot, GOOD_SPEC)
            await pilot.press("ctrl+r")
            live = app.live_runs[max(app.live_runs)]
            await wait_for(pilot, lambda live=live: bool(live.text), "the first tokens")
            await pilot.press("f2")
            await wait_for(pilot, lambda: running.row_count == 1, "the run in the Running panel")
            if away:
                await pilot.press("f3")
            loads = dash.loads
            gate.set()
            await wait_for(pilot, lambda live=live: live.done, "the run to end")
            await pilot.press("f2")
            await wait_for(pilot, lambda loads=loads: dash.loads > loads, "the load the run's end brings")
            await pilot.pause()
            assert running.row_count == 0 and running.border_subtitle == "none running", f"away: {away}"


async def test_a_long_page_keeps_its_right_column_clear_of_the_scrollbar(app_factory) -> None:
    """More runs than fit bring the scrollbar in, and the table is not resized when it comes: the rows must fit
    beside it all the same, or the cost runs under it."""
    for number in range(40):
        seed_run("release-note", f"20261203-1311{number:02d}-1234567-1", cost_usd=0.000017)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f4")
        await loaded(pilot)
        table = app.screen.query_one("#runs", RunsTable)
        assert table.row_count == 40 and table.show_vertical_scrollbar
        line = "".join(segment.text for segment in table.render_line(1))
        assert len(line) == table.scrollable_content_region.width and "$0.000017" in line, line
