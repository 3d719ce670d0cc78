"""At 80x24, the smallest terminal the console promises to fit, every input's hint reads in full on every
screen (a clipped placeholder such as "a .jsonl / .csv" or "since YYYY-" says too little to act on)."""

from __future__ import annotations

from rich.cells import cell_len
from textual.widgets import Input

from tests.tui.conftest import steady, wait_for
from tests.tui.test_snapshots import finished_run
from tui.screens.escalate import EscalateScreen
from tui.screens.feedback import FeedbackScreen
from tui.screens.run_view import RunViewScreen


def clipped(screen) -> list[str]:
    """Each shown input whose placeholder is wider than the room it has, with both widths."""
    return [
        f"{type(screen).__name__} #{field.id}: {field.placeholder!r} is {cell_len(field.placeholder)} cells "
        f"in {field.content_region.width}"
        for field in screen.query(Input)
        if field.display and field.placeholder and cell_len(field.placeholder) > field.content_region.width
    ]


async def test_every_placeholder_reads_in_full_at_80x24(app_factory) -> None:
    app = app_factory()
    found: list[str] = []
    seen: list[str] = []

    async def look() -> None:
        await steady(pilot)
        seen.append(type(app.screen).__name__)
        found.extend(clipped(app.screen))

    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("f3", "f4", "f5", "f2", "b"):
            before = app.screen
            await pilot.press(key)
            await wait_for(pilot, lambda was=before: app.screen is not was, f"the screen {key} opens")
            await look()
        live = finished_run()
        app.live_runs[live.key] = live
        await app.push_screen(RunViewScreen(live))
        view = app.screen
        await wait_for(pilot, lambda: view._finished_drawn, "the run view's end")
        await look()
        for modal in (EscalateScreen(["coding", "agentic"], "general"), FeedbackScreen("release-note 1")):
            await app.push_screen(modal)
            await look()
            modal.dismiss(None)
            await pilot.pause()
    assert seen == [
        "EditorScreen",
        "AuditScreen",
        "SettingsScreen",
        "DashboardScreen",
        "BatchScreen",
        "RunViewScreen",
        "EscalateScreen",
        "FeedbackScreen",
    ]
    assert not found, "\n".join(found)
