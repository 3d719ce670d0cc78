"""At 80x24, the smallest terminal the console promises to fit, every input's hint reads in full on every
screen (a clipped placeholder such as "a .jsonl / .csv" or "since YYYY-" says too little to act on), and every
button and footer key shows whole (the editor's Force sat past the right edge, and the run view of a broken
contract lost its answer, two buttons and two keys)."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.widget import Widget
from textual.widgets import Button, Input
from textual.widgets._footer import FooterKey

from tests.tui.conftest import seed_run, steady, wait_for
from tests.tui.test_snapshots import contract_failed_run, finished_run
from tui.screens.confirm import ConfirmScreen
from tui.screens.escalate import EscalateScreen
from tui.screens.feedback import FeedbackScreen
from tui.screens.file_picker import FilePickerScreen
from tui.screens.run_view import RunViewScreen
from tui.screens.tier_picker import TierPickerScreen
from tui.widgets.runs_table import RunsTable


def clipped(screen) -> list[str]:
    """Each shown input whose placeholder is wider than the room it has, with both widths."""
    return [
        f"{type(screen).__name__} #{field.id}: {field.placeholder!r} is {cell_len(field.placeholder)} cells "
        f"in {field.content_region.width}"
        for field in screen.query(Input)
        if field.display and field.placeholder and cell_len(field.placeholder) > field.content_region.width
    ]


def shown(widget: Widget) -> bool:
    return widget.display and all(node.display for node in widget.ancestors if isinstance(node, Widget))


def cut_off(screen, width: int, height: int) -> list[str]:
    """Each shown button not wholly inside its container and the screen (above the footer) or too narrow for its
    label, each panel title or subtitle wider than its border, each run list's column header not drawn whole in its
    row, and each footer key not drawn whole or reaching under the palette's key."""
    found = []
    for button in screen.query(Button):
        if not shown(button):
            continue
        box, room = button.region, button.parent.region
        inside = box.right <= min(width, room.right) and box.bottom <= min(height - 1, room.bottom)
        if not inside or button.content_region.width < cell_len(str(button.label)):
            found.append(f"{type(screen).__name__} #{button.id} {str(button.label)!r} at {box} in {room}")
    for panel in screen.query("*"):
        for title in (str(panel.border_title or ""), str(panel.border_subtitle or "")):
            if title and shown(panel) and cell_len(title) + 4 > panel.region.width:
                found.append(f"{type(screen).__name__} #{panel.id} title {title!r} in {panel.region.width} columns")
    for table in screen.query(RunsTable):
        header = "".join(segment.text for segment in table.render_line(0))
        drawn = header.split()
        if shown(table) and (
            drawn != [word for column in table.spec for word in column.label.split()]
            or cell_len(header) > table.scrollable_content_region.width
        ):
            found.append(f"{type(screen).__name__} #{table.id} header {header!r} of {[c.label for c in table.spec]}")
    keys = list(screen.query(FooterKey))
    palette = [key for key in keys if key.has_class("-command-palette")]
    edge = palette[0].region.x if palette else width
    for key in keys:
        if key.region.width < key.render().cell_len or key.region.right > (width if key in palette else edge):
            found.append(f"{type(screen).__name__} footer key {key.key} {key.description!r} at {key.region}")
    return found


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_every_button_hint_and_footer_key_shows_whole(size, app_factory, isolated) -> None:
    app = app_factory()
    found: list[str] = []
    seen: list[str] = []

    async def look() -> None:
        await steady(pilot)
        seen.append(type(app.screen).__name__)
        found.extend(cut_off(app.screen, *size) + clipped(app.screen))

    async with app.run_test(size=size) as pilot:
        for key in ("f3", "f4", "f5", "f2", "b"):
            before = app.screen
            await pilot.press(key)
            await wait_for(pilot, lambda was=before: app.screen is not was, f"the screen {key} opens")
            await look()
        for live in (finished_run(), contract_failed_run()):
            app.live_runs[live.key] = live
            await app.push_screen(RunViewScreen(live))
            view = app.screen
            await wait_for(pilot, lambda view=view: view._finished_drawn, "the run view's end")
            await look()
            output = view.query_one("#output")
            assert output.content_region.height >= 3, f"the answer keeps some height: {output.region}"
        for modal in (
            EscalateScreen(["coding", "agentic"], "general"),
            FeedbackScreen("release-note 1"),
            ConfirmScreen("Dispatch despite 2 checklist errors?", "Force"),
            TierPickerScreen(app.config),
            FilePickerScreen(isolated),
        ):
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
        "RunViewScreen",
        "EscalateScreen",
        "FeedbackScreen",
        "ConfirmScreen",
        "TierPickerScreen",
        "FilePickerScreen",
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("width", [100, 106, 113])
async def test_the_audit_browser_columns_fit_between_the_narrow_and_the_wide_set(width, app_factory) -> None:
    """From 100 columns to about 113 the seven columns of the wide set did not fit the runs table: the last ones
    were cut at its edge. The columns shown are chosen from the table's own width, at every width."""
    seed_run("release-note", "20261203-131129-1234567-1", cost_usd=0.000017)
    app = app_factory()
    async with app.run_test(size=(width, 40)) as pilot:
        await pilot.press("f4")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AuditScreen", "the audit browser")
        await steady(pilot)
        table = app.screen.query_one("#runs", RunsTable)
        assert table.row_count == 1 and {"Run", "Status", "Cost"} <= {column.label for column in table.spec}
        assert not cut_off(app.screen, width, 40)
        row = "".join(segment.text for segment in table.render_line(1))
        assert "20261203-131129-1234567-1" in row and "$0.000017" in row, row


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


async def test_names_that_share_their_start_stay_apart_at_80_columns(app_factory) -> None:
    """Five projects of one batch differ only at the end of their slugs: cut at the column's edge, all five read
    the same; cut in the middle, each keeps its number, and a wider terminal shows more of each."""
    slugs = [f"write-a-one-sentence-greeting-number-{n}" for n in range(1, 6)]
    for n, slug in enumerate(slugs):
        seed_run(slug, f"20261121-1100{n:02d}-1-1")
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await steady(pilot)
        table = app.screen.query_one("#projects")

        def names() -> list[str]:
            return [str(table.get_cell_at((row, 0))) for row in range(table.row_count)]

        narrow = names()
        assert len(set(narrow)) == 5 and all("…" in name for name in narrow)
        assert sorted(name[-1] for name in narrow) == ["1", "2", "3", "4", "5"]
        width = table.ordered_columns[0].width
        assert all(len(name) <= width for name in narrow)
        await pilot.resize_terminal(160, 40)
        await wait_for(pilot, lambda: table.ordered_columns[0].width > width, "the Project column to widen")
        await wait_for(pilot, lambda: all(len(name) > len(narrow[0]) for name in names()), "the names recut")
        assert sorted(names()) == slugs  # room enough for the whole names
