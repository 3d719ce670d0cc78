"""Plain text that grows at its end, as a streamed answer does, drawn through Textual's line API.

A read-only TextArea re-measured its whole document on every insert (its wrapped height is a sum over every
line) and re-wrapped all of it on each resize of the layout, so a 120 kB stream spent more time drawing than
the engine spent receiving it. Here an append re-wraps only the line it continues and the lines it adds, and a
frame renders only the rows in view; the whole text is wrapped again only when the width changes.
"""

from __future__ import annotations

import re

from rich.segment import Segment
from textual.content import Content
from textual.events import Resize
from textual.geometry import Size
from textual.selection import Selection
from textual.strip import Strip

from tui.widgets.grows_in_place import GrowsInPlace

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
"""Control characters (a stray escape or carriage return would move the terminal's cursor), shown as �."""


def wrap(line: str, width: int) -> list[str]:
    """One line of text as the rows it takes at `width` cells, broken between words where it can be."""
    if len(line) <= width and line.isascii() and line.isprintable():
        return [line]  # most lines: one cell a character, no control codes, and short enough already
    return [row.plain for row in Content(_CONTROL.sub("\ufffd", line)).wrap(width)]


class StreamText(GrowsInPlace, can_focus=True):
    """The text so far, wrapped at the widget's width; it follows the end unless scrolled away from it."""

    ALLOW_SELECT = True
    DEFAULT_CSS = """
    StreamText { height: 1fr; background: $surface; color: $foreground; overflow-x: hidden; overflow-y: scroll;
        padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._lines: list[str] = [""]
        """The text split at newlines; the last line is the one the next append continues."""
        self._rows: list[str] = []
        self._first_row: list[int] = []
        """Where each line's rows begin in `_rows` (lines past the end are not wrapped yet)."""
        self._width = 0
        self._strips: dict[int, Strip] = {}
        """Each row's Strip once drawn, until the row is wrapped again: following the end scrolls every row on
        screen each frame, and only the rows an append changed need making again."""

    @property
    def text(self) -> str:
        return "\n".join(self._lines)

    def append(self, text: str) -> None:
        if not text:
            return
        following = self.is_vertical_scroll_end
        continued = len(self._lines) - 1
        head, *rest = text.split("\n")
        self._lines[-1] += head
        self._lines.extend(rest)
        self._wrap_from(continued)
        if following:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def on_resize(self, event: Resize) -> None:
        width = max(1, self.scrollable_content_region.width)
        if width != self._width:
            following = self.is_vertical_scroll_end
            self._width = width
            self._strips.clear()
            self._wrap_from(0)
            if following:
                self.scroll_end(animate=False, immediate=True, x_axis=False)

    def _wrap_from(self, line: int) -> None:
        """Wrap the lines from `line` on again, keeping the rows of those before it."""
        if not self._width:
            return  # not laid out yet: the first resize wraps everything
        line = min(line, len(self._first_row))
        first = self._first_row[line] if line < len(self._first_row) else len(self._rows)
        for row in [row for row in self._strips if row >= first]:
            del self._strips[row]
        del self._rows[first:]
        del self._first_row[line:]
        for text in self._lines[line:]:
            self._first_row.append(len(self._rows))
            self._rows.extend(wrap(text, self._width))
        self.virtual_size = Size(self._width, len(self._rows))
        self.refresh()  # the rows an append changed, whether or not their number did

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        selection = self.text_selection
        span = selection.get_span(row) if selection is not None else None
        if span is None and (strip := self._strips.get(row)) is not None:
            return strip
        width, style = self.scrollable_content_region.width, self.rich_style
        if row >= len(self._rows):
            return Strip.blank(width, style)
        text = self._rows[row]
        segments = [Segment(text, style)]
        if span is not None:
            start, end = span
            end = len(text) if end == -1 else end
            chosen = style + self.screen.get_component_rich_style("screen--selection")
            segments = [Segment(text[:start], style), Segment(text[start:end], chosen), Segment(text[end:], style)]
        strip = Strip(segments).extend_cell_length(width, style).apply_offsets(0, row)
        if span is None:
            if len(self._strips) > 4 * self.size.height:  # kept for the rows around the view, not the whole text
                self._strips.clear()
            self._strips[row] = strip
        return strip

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The selected text, as the rows it is drawn in."""
        return selection.extract("\n".join(self._rows)), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()
