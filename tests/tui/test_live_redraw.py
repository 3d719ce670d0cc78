"""What a stream asks of the screen: new event lines and their count drawn without a layout of the run view, and
no redraws from the dashboard hidden under it."""

from __future__ import annotations

from core.engine import DispatchRequest
from core.events import RunStarted
from tests.helpers import GOOD_SPEC
from tests.tui.conftest import loaded, wait_for
from tui.live import LiveRun
from tui.screens.confirm import ConfirmScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.run_view import RunViewScreen


def started_run(key: int = 1) -> LiveRun:
    live = LiveRun(key=key, request=DispatchRequest(spec_text=GOOD_SPEC), started=100.0)
    live.apply(RunStarted("20261121-115900-1-1", "release-note", "openai", "default", "general", "general", ""), 0.1)
    return live


async def test_new_event_lines_follow_the_end_without_a_layout(app_factory, monkeypatch) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        live = started_run()
        app.live_runs[live.key] = live
        await app.push_screen(RunViewScreen(live))
        view = app.screen
        events = view.query_one("#events")
        await wait_for(pilot, lambda: view._shown_log == 1 and events.size.height > 0, "the first event drawn")
        await pilot.pause()
        layouts = []
        original = view._refresh_layout
        monkeypatch.setattr(view, "_refresh_layout", lambda *a, **k: (layouts.append(a), original(*a, **k)))
        for number in range(2, 10):
            live.say(f"notice {number}", 0.1 * number)
        await wait_for(pilot, lambda: view._shown_log == 9, "the new lines shown")
        await pilot.pause()
        rows = [events.render_line(y).text for y in range(events.size.height)]
        assert "notice 9" in rows[-1] and not any("notice 2" in row for row in rows), f"the end in view: {rows!r}"
        assert events.scroll_y == events.max_scroll_y > 0
        assert view.query_one("#events-box").title == "Events (9)"
        assert layouts == [], "eight more lines and their count, and the screen was not laid out again"


async def test_the_dashboard_under_the_run_view_stands_still(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        running = dashboard.query_one("#running")
        await app.push_screen(ConfirmScreen("go on?"))
        await pilot.pause()
        first = started_run(1)
        app.live_runs[first.key] = first
        assert dashboard.in_sight, "a modal lets the dashboard show through"
        dashboard.tick()
        assert running.row_count == 1, "and it ticks there"
        app.pop_screen()
        second = started_run(2)
        app.live_runs[second.key] = second
        await app.push_screen(RunViewScreen(second))
        await pilot.pause()
        assert dashboard.is_current, "Textual counts the screen under an opaque one as current"
        assert not dashboard.in_sight
        dashboard.tick()
        assert running.row_count == 1, "a dashboard under the run view does not draw the new dispatch"
