"""The audit browser's run list: a table drawn through Textual's line API, one Strip a row, made once a page.

A DataTable renders each visible cell through Rich again on every new page (about a quarter of a millisecond a
cell, some 200 cells at 120x40), which alone took a page turn past 50 ms. Here a page's rows become Strips when
the page arrives (or the width changes), and a frame only lays each row's background (zebra stripe, cursor)
under the Strips in view. Columns share the width as FitTable's do (tui/widgets/fit_table.py), and the scrollbar's
gutter is kept whether it shows or not: the widget is not resized when a long page brings the scrollbar in, so
columns fitted without it would run under it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.events import Click, Resize
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.widgets.fit_table import Col, fit_widths

Cell = str | Text
PADDING = 1
"""Blank cells either side of each column, as a DataTable has."""
_PAD = Segment(" " * PADDING)


class RunsTable(ScrollView, can_focus=True):
    """Rows of cells under a header that stays put, with a row cursor; Enter or a click on the cursor's row
    posts `RowSelected` with the row's key."""

    COMPONENT_CLASSES = {"runs-table--header", "runs-table--even-row", "runs-table--cursor"}
    DEFAULT_CSS = """
    RunsTable {
        background: $surface; color: $foreground; overflow-x: hidden; overflow-y: auto; scrollbar-gutter: stable;
    }
    RunsTable:focus { background-tint: $foreground 5%; }
    RunsTable > .runs-table--header { text-style: bold; background: $panel; color: $foreground; }
    RunsTable:dark > .runs-table--even-row { background: $surface-darken-1 40%; }
    RunsTable > .runs-table--cursor {
        background: $block-cursor-blurred-background; color: $block-cursor-blurred-foreground;
        text-style: $block-cursor-blurred-text-style;
    }
    RunsTable:focus > .runs-table--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground; text-style: $block-cursor-text-style;
    }
    """
    BINDINGS = [
        Binding("enter", "select_cursor", "Open", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
    ]

    @dataclass
    class RowSelected(Message):
        key: str

    @dataclass
    class Resized(Message):
        """The table's width changed, so its screen can choose the columns that fit it (`spare`)."""

        table: RunsTable

    def __init__(self, *columns: Col, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.spec = list(columns)
        self.widths: list[int] = []
        """Each column's width in cells, fitted to the widget's (0 each until it is laid out)."""
        self.keys: list[str] = []
        self.rows: list[Sequence[Cell]] = []
        self.cursor_row = 0
        self._header = Strip([])
        self._strips: list[Strip] = []

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def set_columns(self, *columns: Col) -> None:
        """New columns, and no rows until `set_rows`."""
        self.spec = list(columns)
        self.set_rows([])

    def set_rows(self, rows: Sequence[tuple[str, Sequence[Cell]]]) -> None:
        """A page of rows, each a key and its cells in column order; the cursor goes back to the first."""
        self.keys = [key for key, _ in rows]
        self.rows = [cells for _, cells in rows]
        self.cursor_row = 0
        self._draw()
        self.scroll_to(y=0, animate=False, immediate=True)

    def on_resize(self, event: Resize) -> None:
        self._draw()
        self.post_message(self.Resized(self))

    def spare(self, columns: Sequence[Col]) -> int:
        """The cells left over when `columns` stand in the table at their least widths (each header whole, each
        column padded): negative when they do not fit."""
        least = sum(max(column.width, cell_len(column.label)) + 2 * PADDING for column in columns)
        return self.scrollable_content_region.width - least

    def _draw(self) -> None:
        """Fit the columns to the width and make every row's Strip (and the header's) for it."""
        width = self.scrollable_content_region.width
        self.widths = fit_widths(self.spec, width - 2 * PADDING * len(self.spec))
        self._header = self._strip([column.label for column in self.spec], width)
        self._strips = [self._strip(cells, width) for cells in self.rows]
        self.virtual_size = Size(width, len(self.rows) + 1)
        self.refresh()

    def _strip(self, cells: Sequence[Cell], width: int) -> Strip:
        segments: list[Segment] = []
        for cell, room in zip(cells, self.widths, strict=False):
            segments.append(_PAD)
            if isinstance(cell, str) and (length := cell_len(cell)) <= room:
                segments.append(Segment(cell + " " * (room - length)))
            else:
                text = Text(cell) if isinstance(cell, str) else cell.copy()
                text.truncate(room, overflow="ellipsis", pad=True)
                console = self.app.console  # a Text's own style is not in its rendered segments, only its spans
                segments.extend(Segment.apply_style(text.render(console, end=""), console.get_style(text.style)))
            segments.append(_PAD)
        used = sum(self.widths) + 2 * PADDING * len(self.widths)
        if used > width:
            return Strip(segments, used).crop(0, width)
        segments.append(Segment(" " * (width - used)))
        return Strip(segments, width)

    _styles: tuple[Style, Style, Style, Style] | None = None
    """The widget's style and its header, even-row and cursor styles added to it, worked out once, not each line."""

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None

    def render_line(self, y: int) -> Strip:
        if self._styles is None:
            base = self.rich_style
            header, even, cursor = (
                self.get_component_rich_style(f"runs-table--{name}") for name in ("header", "even-row", "cursor")
            )
            self._styles = base, base + header, base + even, cursor
        base, header, even, cursor = self._styles
        if y == 0:
            return self._header.apply_style(header)
        row = int(self.scroll_y) + y - 1
        if row >= len(self._strips):
            return Strip.blank(self.scrollable_content_region.width, base)
        if row == self.cursor_row:  # over the cells' own colours, as a DataTable's cursor is, so it reads as one bar
            strip = self._strips[row].apply_style(base)
            return Strip(Segment.apply_style(strip, post_style=cursor), strip.cell_length)
        return self._strips[row].apply_style(even if row % 2 == 0 else base)

    # --- the cursor ----------------------------------------------------------------------------------

    @property
    def _shown(self) -> int:
        """How many rows are in view below the header."""
        return max(1, self.scrollable_content_region.height - 1)

    def move_cursor(self, row: int) -> None:
        """Put the cursor on `row` (kept within the rows) and scroll it into view."""
        self.cursor_row = max(0, min(row, len(self.rows) - 1))
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + self._shown:
            self.scroll_to(y=self.cursor_row - self._shown + 1, animate=False, immediate=True)
        self.refresh()

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor_row - self._shown)

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor_row + self._shown)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self.rows) - 1)

    def action_select_cursor(self) -> None:
        if self.rows:
            self.post_message(self.RowSelected(self.keys[self.cursor_row]))

    def on_click(self, event: Click) -> None:
        """As in a DataTable: a click moves the cursor to its row, and a click on the cursor's row selects it."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return
        row = int(self.scroll_y) + offset.y - 1
        if row < len(self.rows):
            event.stop()
            if row == self.cursor_row:
                self.action_select_cursor()
            else:
                self.move_cursor(row)
