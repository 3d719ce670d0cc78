"""The audit browser's run list on its own: the cursor keys, a click, Enter, and rows fitted to the width."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

from tui.widgets.fit_table import SQUEEZED, Col, fit_widths
from tui.widgets.runs_table import RunsTable

ROWS = 100
HEIGHT = 12
"""The table's height: its header and eleven rows."""


class TableApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.selected: list[str] = []

    def compose(self) -> ComposeResult:
        yield RunsTable(Col("Run", 8), Col("Note", 6, 1), id="runs")

    def on_mount(self) -> None:
        self.query_one(RunsTable).styles.height = HEIGHT
        rows = [(f"key-{n}", [f"run-{n}", Text(f"note {n}", style="red")]) for n in range(ROWS)]
        self.query_one(RunsTable).set_rows(rows)
        self.query_one(RunsTable).focus()

    def on_runs_table_row_selected(self, event: RunsTable.RowSelected) -> None:
        self.selected.append(event.key)


def shown(table: RunsTable, y: int) -> str:
    return "".join(segment.text for segment in table.render_line(y))


def in_view(table: RunsTable) -> bool:
    """Whether the cursor's row is one of the rows drawn below the header."""
    return any(shown(table, y).startswith(f" run-{table.cursor_row} ") for y in range(1, HEIGHT))


async def test_the_cursor_keys_move_the_cursor_and_keep_it_in_view() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 20)) as pilot:
        table = app.query_one(RunsTable)
        await pilot.press("down", "down")
        assert table.cursor_row == 2
        await pilot.press("up")
        assert table.cursor_row == 1
        await pilot.press("pagedown")
        assert table.cursor_row == 1 + HEIGHT - 1 and in_view(table)
        await pilot.press("pageup")
        assert table.cursor_row == 1 and in_view(table)
        await pilot.press("end")
        assert table.cursor_row == ROWS - 1 and in_view(table)
        await pilot.press("down")
        assert table.cursor_row == ROWS - 1, "the cursor stops at the last row"
        await pilot.press("home")
        assert table.cursor_row == 0 and in_view(table) and table.scroll_y == 0
        await pilot.press("up")
        assert table.cursor_row == 0
        assert shown(table, 0).split() == ["Run", "Note"], "the header stays on top"


async def test_enter_and_a_second_click_select_the_cursor_row() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 20)) as pilot:
        table = app.query_one(RunsTable)
        await pilot.press("down", "enter")
        assert app.selected == ["key-1"]
        await pilot.click(table, offset=(3, 3))  # the header is line 0: line 3 is the third run
        assert table.cursor_row == 2 and app.selected == ["key-1"], "the first click only moves the cursor"
        await pilot.click(table, offset=(3, 3))
        assert app.selected == ["key-1", "key-2"]
        await pilot.click(table, offset=(3, 0))
        assert table.cursor_row == 2 and app.selected == ["key-1", "key-2"], "a click on the header selects nothing"


async def test_a_cell_keeps_its_colour_except_under_the_cursor() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 20)):
        table = app.query_one(RunsTable)

        def colour(y: int) -> str | None:
            note = next(segment for segment in table.render_line(y) if segment.text.startswith("note"))
            return note.style.color.name if note.style and note.style.color else None

        assert colour(2) == "red"
        assert colour(1) != "red", "the cursor's colours are laid over the cells'"


async def test_rows_fill_the_width_and_a_long_cell_is_cut_with_an_ellipsis() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 20)) as pilot:
        table = app.query_one(RunsTable)
        width = table.scrollable_content_region.width
        assert sum(table.widths) + 2 * len(table.widths) == width, "the flexible column takes the spare width"
        table.set_rows([("long", ["a-run-id-longer-than-eight", "x"])])
        await pilot.pause()
        assert shown(table, 1).startswith(" a-run-i… ") and len(shown(table, 1)) == width
        await pilot.resize_terminal(30, 20)
        await pilot.pause()
        assert len(shown(table, 1)) == table.scrollable_content_region.width < width, "fitted again on a resize"


async def test_the_cursor_dims_when_the_table_loses_focus_and_returns_with_it() -> None:
    """The row styles are worked out once and kept: a change of focus must still show."""
    app = TableApp()
    async with app.run_test(size=(40, 20)) as pilot:
        table = app.query_one(RunsTable)

        def cursor() -> object:
            return next(iter(table.render_line(1))).style

        focused = cursor()
        app.set_focus(None)
        await pilot.pause()
        assert cursor() != focused
        table.focus()
        await pilot.pause()
        assert cursor() == focused


def test_a_table_narrower_than_its_columns_squeezes_the_flexible_ones_not_the_right_edge() -> None:
    columns = [Col("Run", 5), Col("Project", 8, 1), Col("Note", 6, 1), Col("Cost", 9)]
    assert fit_widths(columns, 30) == [5, 9, 7, 9], "the spare goes to the flexible columns"
    assert fit_widths(columns, 25) == [5, 7, 4, 9], "the last flexible column gives up room first"
    assert fit_widths(columns, 10) == [5, SQUEEZED, SQUEEZED, 9], "never below SQUEEZED"
