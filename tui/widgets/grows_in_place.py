"""A scroll view whose content grows without a layout of the screen.

Textual lays the whole screen out again on every change of a widget's `virtual_size` (~20-40 ms for the run view
at 120x40): for the streamed answer that was every frame, for the event log every new line. A view whose region
never depends on its content (its height set by CSS, its vertical scrollbar always shown, no horizontal one)
needs only itself and its scrollbar drawn again.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.scroll_view import ScrollView


class GrowsInPlace(ScrollView):
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def watch_virtual_size(self, size: Size) -> None:
        """The scrollbar and the scroll position follow the new size, as a layout would have set them."""
        scrollbar = self.vertical_scrollbar
        scrollbar.window_virtual_size = size.height
        scrollbar.window_size = self.container_size.height
        self.scroll_y = self.validate_scroll_y(self.scroll_y)
