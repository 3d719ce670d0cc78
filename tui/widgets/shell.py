"""The dashboard's first frame: its three panels as outlines with their titles, drawn by one widget.

The panels as widgets of their own (a placeholder each, in the row container the tables go in) cost that frame
~1-3 ms a widget to mount, style, lay out and draw. This draws the same boxes where the tables will be (the
layout of app.tcss: Projects over the lower row, Running beside Inbox 2:3, or stacked below NARROW columns with
Running RUNNING_NARROW lines tall) until the first load mounts the tables in its place.
"""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

RUNNING_NARROW = 5
"""The Running panel's height when stacked (#dash-lower.-narrow #running in app.tcss)."""
TITLES = ("Projects", "Running", "Inbox")
BORDER = "$panel"
TITLE = "bold $foreground"
WAITING = "$text-muted"


def box(width: int, height: int, title: str) -> list[Content]:
    """A round-cornered panel, its title in the top border and "loading…" inside, as the tables' CSS draws them."""
    if width < 2 or height < 1:
        return [Content(" " * max(0, width))] * max(0, height)
    inner = width - 2
    label = Content.styled(f" {title} "[: max(0, inner - 1)], TITLE)
    rest = "─" * max(0, inner - 1 - label.cell_length)
    top = Content.assemble(("╭─"[: inner + 1], BORDER), label, (rest, BORDER), ("╮", BORDER))
    waiting = Content.styled(" loading…"[:inner].ljust(inner), WAITING)
    middle = Content.assemble(("│", BORDER), waiting, ("│", BORDER))
    blank = Content.assemble(("│", BORDER), " " * inner, ("│", BORDER))
    bottom = Content.styled("╰" + "─" * inner + "╯", BORDER)
    if height == 1:
        return [top]
    return [top, *([middle, *[blank] * (height - 3)][: height - 2]), bottom]


def beside(left: list[Content], right: list[Content]) -> list[Content]:
    return [Content.assemble(one, other) for one, other in zip(left, right, strict=True)]


class Shell(Widget):
    DEFAULT_CSS = """
    Shell {
        height: 1fr;
        background: $surface;
    }
    """

    def __init__(self, narrow: int) -> None:
        super().__init__()
        self.narrow = narrow
        """Below this many columns the lower panels stack (#dash-lower.-narrow in app.tcss)."""

    def render(self) -> Content:
        width, height = self.size
        projects, running, inbox = TITLES
        if width < self.narrow:  # Projects 1fr over a lower row of 2fr
            top = height // 3
            lines = box(width, top, projects) + box(width, RUNNING_NARROW, running)
            lines += box(width, height - top - RUNNING_NARROW, inbox)
        else:  # 1fr over 1fr, Running 2fr beside Inbox 3fr
            top, left = height // 2, width * 2 // 5
            lines = box(width, top, projects)
            lines += beside(box(left, height - top, running), box(width - left, height - top, inbox))
        return Content("\n").join(lines)
