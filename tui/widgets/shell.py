"""The dashboard's first frame: its three panels as outlines with their titles, drawn by one widget.

The panels as widgets of their own (a placeholder each, in the row container the tables go in) cost that frame
~1-3 ms a widget to mount, style, lay out and draw. This draws the same boxes where the tables will be (the
layout of app.tcss: Projects over the lower row, Running beside Inbox 2:3, or stacked below `narrow` columns
with Running RUNNING_NARROW lines tall) until the first load mounts the tables in its place. Lines are drawn as
plain segments in the styles of its component classes: the same boxes as styled Content took ~12 ms to draw.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

RUNNING_NARROW = 5
"""The Running panel's height when stacked (#dash-lower.-narrow #running in app.tcss)."""
TITLES = ("Projects", "Running", "Inbox")
Line = list[Segment]


class Shell(Widget):
    COMPONENT_CLASSES = {"shell--title", "shell--waiting"}
    DEFAULT_CSS = """
    Shell {
        height: 1fr;
        background: $surface;
        color: $panel;
    }
    Shell > .shell--title {
        color: $foreground;
        text-style: bold;
    }
    Shell > .shell--waiting {
        color: $text-muted;
    }
    """

    def __init__(self, narrow: int) -> None:
        super().__init__()
        self.narrow = narrow
        """Below this many columns the lower panels stack (#dash-lower.-narrow in app.tcss)."""
        self._lines: tuple[tuple[int, int], list[Strip]] | None = None
        """The lines drawn for a size."""

    def render_line(self, y: int) -> Strip:
        size = (self.size.width, self.size.height)
        if self._lines is None or self._lines[0] != size:
            self._lines = size, [Strip(line) for line in self.outline(*size)]
        lines = self._lines[1]
        return lines[y] if y < len(lines) else Strip.blank(size[0], self.rich_style)

    def outline(self, width: int, height: int) -> list[Line]:
        projects, running, inbox = TITLES
        if width < self.narrow:  # Projects 1fr over a lower row of 2fr
            top = height // 3
            lines = self.box(width, top, projects) + self.box(width, RUNNING_NARROW, running)
            return lines + self.box(width, height - top - RUNNING_NARROW, inbox)
        top, left = height // 2, width * 2 // 5  # 1fr over 1fr, Running 2fr beside Inbox 3fr
        lower = zip(self.box(left, height - top, running), self.box(width - left, height - top, inbox), strict=True)
        return self.box(width, top, projects) + [one + other for one, other in lower]

    def box(self, width: int, height: int, title: str) -> list[Line]:
        """A round-cornered panel, its title in the top border and "loading…" inside, as the tables' CSS draws
        them."""
        border = self.rich_style
        if width < 2 or height < 1:
            return [[Segment(" " * max(0, width), border)]] * max(0, height)
        inner = width - 2
        label = f" {title} "[: max(0, inner - 1)]
        rest = "─" * max(0, inner - 1 - len(label))
        top = [Segment("╭─"[: inner + 1], border), Segment(label, self._style("title")), Segment(rest + "╮", border)]
        waiting = " loading…"[:inner].ljust(inner)
        middle = [Segment("│", border), Segment(waiting, self._style("waiting")), Segment("│", border)]
        blank = [Segment("│" + " " * inner + "│", border)]
        bottom = [Segment("╰" + "─" * inner + "╯", border)]
        if height == 1:
            return [top]
        return [top, *([middle, *[blank] * (height - 3)][: height - 2]), bottom]

    def _style(self, part: str) -> Style:
        return self.rich_style + self.get_component_rich_style(f"shell--{part}", partial=True)
