"""A DataTable whose columns share the width the table has, so nothing hides past the right edge.

A plain DataTable sizes each column to its widest cell and scrolls sideways when they add up to more than
the screen: at 120 columns the Running panel's header read "Ela" and the inbox's detail column was eight
characters. Here each column has a minimum width and a share of what is left; a cell still too long is cut
at its column's edge, and the screens show the whole of the selected row beside the table. A column of names
(`middle`) is cut in the middle instead, again whenever its width changes: slugs of one batch share their start
("write-a-one-sentence-greeting-number-1" .. "-5"), and cut at the edge all five read "write-a-one-s".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets._data_table import RowKey

from tui.format import clip


@dataclass(frozen=True)
class Col:
    label: str
    width: int
    """The least it gets; a fixed column gets exactly this."""
    share: int = 0
    """How much of the spare width it takes, relative to the other columns' shares; 0 keeps it fixed."""
    middle: bool = False
    """Its cells are names: too long for the column, they are cut in the middle (tui/format.py clip)."""


SQUEEZED = 4
"""The least a flexible column is cut to when the table is narrower than the columns' least widths."""


def fit_widths(columns: list[Col], room: int) -> list[int]:
    """Each column's width when they share `room` cells (padding aside): its least, and its share of the rest.
    When there is less room than the least widths add up to, the flexible columns give it up, the last first,
    so the fixed ones at the right edge (a cost, say) still read whole."""
    spare = room - sum(column.width for column in columns)
    shares = sum(column.share for column in columns)
    flexible = [index for index, column in enumerate(columns) if column.share]
    widths, given = [], 0
    for index, column in enumerate(columns):
        extra = max(0, spare) * column.share // shares if shares else 0
        if flexible and index == flexible[-1]:
            extra = max(0, spare) - given  # the last flexible column takes what rounding left over
        given += extra
        widths.append(column.width + extra)
    for index in reversed(flexible):
        if spare >= 0:
            break
        cut = min(-spare, widths[index] - SQUEEZED)
        widths[index] -= max(0, cut)
        spare += max(0, cut)
    return widths


class FitTable(DataTable):
    DEFAULT_CSS = """
    FitTable { overflow-x: hidden; }
    """

    def __init__(self, *columns: Col, **options) -> None:
        super().__init__(**options)
        self.spec = list(columns)
        self._names: dict[tuple[RowKey, str], Any] = {}
        """Each name cell's whole value, cut again to its column's width whenever that changes."""

    def on_mount(self) -> None:
        self.set_columns(*self.spec)

    def set_columns(self, *columns: Col) -> None:
        """Replace the columns (and the rows with them), then fit them to the width."""
        self.spec = list(columns)
        self.clear(columns=True)
        for column in columns:
            self.add_column(column.label, width=column.width, key=column.label)
        self.fit()

    def add_row(self, *cells: Any, key: str | None = None, **options: Any) -> RowKey:
        middle = [column.middle for column in self.spec] + [False] * len(cells)
        shown = [
            _cut(value, self._width_of(self.spec[n].label)) if middle[n] else value for n, value in enumerate(cells)
        ]
        row = super().add_row(*shown, key=key, **options)
        for column, value in zip(self.spec, cells, strict=False):
            if column.middle:
                self._names[(row, column.label)] = value
        return row

    def clear(self, columns: bool = False) -> FitTable:
        self._names.clear()
        return super().clear(columns)

    def on_resize(self) -> None:
        self.fit()

    def fit(self) -> None:
        if not self.spec or not self.ordered_columns:
            return
        room = self.scrollable_content_region.width - 2 * self.cell_padding * len(self.spec)
        changed = set()
        for column, width in zip(self.ordered_columns, fit_widths(self.spec, room), strict=False):
            if column.width != width:
                changed.add(str(column.key.value))
            column.width, column.auto_width = width, False
        for (row, label), value in self._names.items():
            if label in changed:
                self.update_cell(row, label, _cut(value, self._width_of(label)))
        self._clear_caches()
        self._require_update_dimensions = True
        self.refresh()

    def _width_of(self, label: str) -> int:
        return next(column.width for column in self.ordered_columns if column.key.value == label)


def _cut(value: Any, width: int) -> Any:
    """A name cut in the middle to `width` cells, keeping its style."""
    if isinstance(value, Text):
        return Text(clip(value.plain, width), style=value.style)
    return clip(str(value), width) if isinstance(value, str) else value
