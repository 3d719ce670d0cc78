"""The dashboard's first frame: the panels' outlines while the first load runs in its worker, the footer a
moment after that frame, then the tables in their place, with the projects table focused as before; closing the
console during that load is safe."""

from __future__ import annotations

import threading

from textual.widgets import DataTable

from tests.tui.conftest import loaded, wait_for
from tui.screens import dashboard
from tui.widgets.footer import Footer
from tui.widgets.shell import Shell


async def test_the_panels_say_loading_until_the_first_load_then_the_tables_take_their_place(
    app_factory, monkeypatch
) -> None:
    gate = threading.Event()
    gather = dashboard.gather

    def held(*args, **kwargs):
        gate.wait(10)
        return gather(*args, **kwargs)

    monkeypatch.setattr(dashboard, "gather", held)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        dash = app.screen
        await pilot.pause()
        shell = dash.query_one(Shell)
        outline = ["".join(segment.text for segment in line) for line in shell.outline(*shell.size)]
        assert outline[0].startswith("╭─ Projects ─") and outline[1].startswith("│ loading…")
        assert outline[shell.size.height // 2].split("╮")[1].startswith("╭─ Inbox ─")
        assert len(outline) == shell.size.height and {len(line) for line in outline} == {shell.size.width}
        assert not dash.query(DataTable)
        await wait_for(pilot, lambda: bool(dash.query(Footer)), "the footer, mounted after the first frame")
        assert [key.key for key in dash.query_one(Footer).children][:2] == ["n", "e"]
        await pilot.press("enter", "e")  # nothing to open or escalate yet, and nothing fails
        gate.set()
        await loaded(pilot)
        await wait_for(pilot, lambda: dash.loads == 1, "the first load drawn")
        assert not dash.query(Shell)
        assert [table.id for table in dash.query(DataTable)] == ["projects", "running", "inbox"]
        assert [str(table.border_title) for table in dash.query(DataTable)] == ["Projects", "Running", "Inbox"]
        assert app.focused is dash.query_one("#projects", DataTable)


async def test_closing_the_console_waits_for_a_query_still_running_in_a_thread(app_factory) -> None:
    app = app_factory()
    happened: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        index = app._index
        close = index.close
        index.close = lambda: (happened.append("closed"), close())
        app.index_lock.acquire()  # as a worker thread's query holds it

        def query_ends() -> None:
            happened.append("query ended")
            app.index_lock.release()

        threading.Timer(0.2, query_ends).start()
    assert happened == ["query ended", "closed"]
