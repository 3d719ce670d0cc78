"""The run view's event log, wrapped at its own width so that a long line (an error, a tool call's arguments)
reads in full at 80 columns; Textual's Log cut it at the edge behind a scrollbar few people find.

RichLog wraps a line once, when it is written, and at most at the console's width, not its own; a terminal does
not keep its size either. So the lines are kept and wrapped again, at the log's own width, whenever it changes,
each continuation indented under the event's text so the times stay a column of their own. Its height is set by
the run view's CSS, so a new line draws the log again without a layout of the screen (GrowsInPlace).
"""

from __future__ import annotations

import re
import textwrap

from rich.text import Text
from textual.content import Content
from textual.events import Resize
from textual.visual import VisualType
from textual.widget import Widget
from textual.widgets import Collapsible, RichLog
from textual.widgets._collapsible import CollapsibleTitle

from tui.widgets.grows_in_place import GrowsInPlace


class EventLog(RichLog, GrowsInPlace):
    def __init__(self, *, max_lines: int, id: str | None = None) -> None:
        super().__init__(max_lines=max_lines, wrap=True, min_width=1, id=id)
        self.kept = max_lines
        self.said: list[str] = []
        """Every line written, unwrapped (the last `kept`), to wrap again at a new width."""
        self._width = 0

    def say(self, lines: list[str]) -> None:
        self.said.extend(lines)
        del self.said[: max(0, len(self.said) - self.kept)]
        if not self._width:
            return  # not laid out yet: the first resize writes every line at the log's width
        for line in lines:
            self._write(line)

    def on_resize(self, event: Resize) -> None:
        """Wrap every line again at the new width (RichLog's own handler, after this one, draws the lines
        written before its first size was known)."""
        if self.scrollable_content_region.width == self._width:
            return
        self._width = self.scrollable_content_region.width
        self.clear()
        for line in self.said:
            self._write(line)

    def _write(self, line: str) -> None:
        width = max(1, self._width)
        stamp = _STAMP.match(line)
        indent = stamp.end() if stamp and stamp.end() <= width // 2 else 0
        rows = textwrap.wrap(line, width, subsequent_indent=" " * indent, break_on_hyphens=False) or [""]
        self.write(Text("\n".join(rows)), width=width)


_STAMP = re.compile(r"\s*\d+(\.\d+)?s\s+")
"""The time an event line starts with ("  3.109s  "), which its wrapped rows are indented past."""


class _Title(CollapsibleTitle):
    _cells = -1

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        cells = content.cell_length if isinstance(content, Content) else -1
        super().update(content, layout=layout and (cells < 0 or cells != self._cells))
        self._cells = cells


class EventsBox(Collapsible):
    """The log's panel, its title laid out again only when the title's width changes: the run view counts the
    events in it ("Events (12)"), and each new count asked Textual for a layout of the whole screen."""

    def __init__(self, *children: Widget, title: str, collapsed: bool, id: str | None = None) -> None:
        super().__init__(*children, title=title, collapsed=collapsed, id=id)
        made = self._title
        self._title = _Title(
            label=title,
            collapsed_symbol=made.collapsed_symbol,
            expanded_symbol=made.expanded_symbol,
            collapsed=collapsed,
        )
