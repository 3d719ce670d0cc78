"""Textual's Footer, without the style pass per key each time it redraws its keys, and fitted to narrow terminals.

The footer recomposes its keys whenever the focus or the bindings change. Each new key starts non-compact
and is then bound to the footer's `compact`; every flip of that value restyles the key at once, which made
the footer the largest single cost of the dashboard's first frame and of opening the run view. Keys here
start with the footer's value, so the binding has nothing to change and nothing is restyled (the command
palette's key is not bound to it and keeps its own).

At 80 columns a screen's own keys and the app's F2-F5 did not fit: the last keys were cut off (the audit
browser showed F2 and no further). Below NARROW the footer is compact, and the app's keys and the palette's
show without their names, which stay in each key's tooltip (and the palette lists every action).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

NARROW = 100
"""Below this many columns the footer is compact and the app-wide keys show only the key."""


class Footer(TextualFooter):
    def compose(self) -> ComposeResult:
        narrow = self.app.size.width < NARROW
        self.set_reactive(TextualFooter.compact, narrow)
        self.set_class(narrow, "-compact")
        active = self.screen.active_bindings
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                palette = widget.has_class("-command-palette")
                if narrow and (palette or ((bound := active.get(widget.key)) is not None and bound.node is self.app)):
                    widget.tooltip = widget.tooltip or widget.description
                    widget.description = ""
                if not palette:
                    widget.set_reactive(FooterKey.compact, narrow)
            yield widget

    def on_resize(self) -> None:
        if (self.app.size.width < NARROW) != self.compact:
            self.call_after_refresh(self.recompose)
