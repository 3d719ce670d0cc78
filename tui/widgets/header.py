"""The console's header: Textual's Header drawn by one widget instead of four, looking and behaving the same.

Textual's header is a container of an icon, a title and a space for the clock, each a widget with its own CSS to
parse, styles to apply, place in the layout and lines to draw; the dashboard's first frame paid for all four (as
each screen does when first shown). It also fills its title in from async watchers after the screen's first layout,
and each update of the title asks for a layout of the whole screen, though the title is as wide as the header
whatever it reads (opening the run view is on the way to a stream's first token, and that layout cost ~25 ms
there). Here the title is drawn from the first frame, and a new one only repaints the header.

As Textual's: the icon at the left opens the command palette (and says so in a tooltip), a click elsewhere makes
the header three lines tall or one again, and the title is the screen's (else the app's) with its sub-title.
"""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.style import Style
from textual.widget import Widget

ICON = "⭘"
ICON_WIDTH = 8
"""The cells Textual's HeaderIcon takes at the left (the icon after a space): the part a click opens the palette from."""
CLOCK_WIDTH = 10
"""The cells Textual's HeaderClockSpace keeps at the right: the title is centred between the two, as there."""
PALETTE_TIP = "Open the command palette"
PART = {part: Style.from_meta({"header": part}) for part in ("icon", "title")}
"""Change nothing drawn: they keep the icon and the title segments of their own, apart from the spaces around them,
as in Textual's header (an SVG screenshot drew them shifted when they and the spaces were one run of text)."""


class Header(Widget):
    DEFAULT_CSS = """
    Header {
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
        content-align-vertical: middle;
    }
    Header.-tall {
        height: 3;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._over_icon = False

    def on_mount(self) -> None:
        for owner in (self.app, self.screen):
            for name in ("title", "sub_title"):
                self.watch(owner, name, self._retitle, init=False)

    def _retitle(self) -> None:
        self.refresh()

    def _title(self) -> Content:
        screen, app = self.screen, self.app
        title = screen.title if screen.title is not None else app.title
        sub_title = screen.sub_title if screen.sub_title is not None else app.sub_title
        return app.format_title(title, sub_title)

    def render(self) -> Content:
        width = self.size.width
        middle = max(0, width - ICON_WIDTH - CLOCK_WIDTH)
        title = self._title().truncate(middle, ellipsis=True).stylize_before(PART["title"])
        left = (middle - title.cell_length) // 2
        icon = Content.assemble(" ", (ICON, PART["icon"]), " " * (ICON_WIDTH - 2))
        if self._over_icon:
            icon = icon.stylize("on $foreground 10%")
        return Content.assemble(icon, " " * left, title).truncate(width)

    def _point_at_icon(self, over: bool) -> None:
        if over != self._over_icon:
            self._over_icon = over
            self.tooltip = PALETTE_TIP if over else None
            self.refresh()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._point_at_icon(event.x < ICON_WIDTH)

    def on_leave(self, _event: events.Leave) -> None:
        self._point_at_icon(False)

    async def on_click(self, event: events.Click) -> None:
        event.stop()
        if event.x < ICON_WIDTH:
            await self.run_action("app.command_palette")
        else:
            self.toggle_class("-tall")
