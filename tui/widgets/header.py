"""Textual's Header, with its title in place from the first frame and its updates drawn without a layout.

Textual's header composes an empty title and fills it in from async watchers, after the screen's first layout,
and each update of the title asks for another layout of the whole screen, though the title is as wide as the
header whatever it reads. Opening the run view is on the way to a stream's first token, and that second layout
cost ~25 ms there.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.visual import VisualType
from textual.widgets import Header as TextualHeader
from textual.widgets._header import HeaderTitle


class _Title(HeaderTitle):
    def update(self, content: VisualType = "", *, layout: bool = False) -> None:
        super().update(content, layout=False)


class Header(TextualHeader):
    def compose(self) -> ComposeResult:
        for widget in super().compose():
            yield _Title(self.format_title()) if isinstance(widget, HeaderTitle) else widget
