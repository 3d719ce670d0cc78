"""Textual's Footer, without the style pass per key each time it redraws its keys.

The footer recomposes its keys whenever the focus or the bindings change. Each new key starts non-compact
and is then bound to the footer's `compact`; every flip of that value restyles the key at once, which made
the footer the largest single cost of the dashboard's first frame and of opening the run view. Keys here
start with the footer's value, so the binding has nothing to change and nothing is restyled (the command
palette's key is not bound to it and keeps its own).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey


class Footer(TextualFooter):
    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                widget.set_reactive(FooterKey.compact, self.compact)
            yield widget
