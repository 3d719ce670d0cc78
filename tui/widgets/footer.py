"""Textual's Footer, without the style pass per key each time it redraws its keys, and fitted to narrow terminals.

The footer recomposes its keys whenever the focus or the bindings change. Each new key starts non-compact
and is then bound to the footer's `compact`; every flip of that value restyles the key at once, which made
the footer the largest single cost of the dashboard's first frame and of opening the run view. Keys here
start with the footer's value, so the binding has nothing to change and nothing is restyled (the command
palette's key is not bound to it and keeps its own).

At 80 columns a screen's own keys and the app's F2-F5 did not fit: the last keys were cut off (the audit
browser showed F2 and no further). Below NARROW the footer is compact, and the app's keys and the palette's
show without their names, which stay in each key's tooltip (and the palette lists every action). When even that is
too wide (the run view of a broken contract has seven keys of its own), the screen's last keys lose their names too,
from the right, until the row fits; at any width a row of keys too long for it is drawn the same way.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

NARROW = 100
"""Below this many columns the footer is compact and the app-wide keys show only the key."""


class Footer(TextualFooter):
    def __init__(self) -> None:
        super().__init__()
        self._composed: tuple[object, ...] | None = None
        """What the keys drawn now were composed from: the shown bindings and the width mode."""
        self._composed_width = 0
        """The terminal's width when they were composed: another width composes them again."""

    def _shown(self, screen: Screen[object]) -> tuple[object, ...]:
        narrow = self.app.size.width < NARROW
        bindings = tuple(
            (key, active.binding.action, active.binding.description, active.enabled, active.tooltip)
            for key, active in screen.active_bindings.items()
            if active.binding.show or key == self.app.COMMAND_PALETTE_BINDING
        )
        return narrow, bindings

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Recompose only when the keys to show differ from those drawn. The signal comes on every focus
        change, and a recompose remounts every key and lays the screen out again (~30 ms in the run view,
        six times while one answer streamed, for the same keys). The keys are compared when the deferred
        recompose is due, not when the signal comes: a screen just opened signals several times before its
        footer's first keys are composed, and each of those used to queue a recompose of its own."""
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        if self.is_attached and self._shown(self.screen) != self._composed:
            await self.recompose()

    def compose(self) -> ComposeResult:
        """The keys from the first compose on: Textual's footer composes none until the screen's first bindings
        signal, then composes again, which in the run view came while the answer streamed. The screen's
        bindings can be read as soon as this footer is mounted in it."""
        self.set_reactive(TextualFooter._bindings_ready, True)
        width = self.app.size.width
        self._composed = self._shown(self.screen)
        self._composed_width = width
        active = self.screen.active_bindings
        widgets = list(super().compose())
        keys = [widget for widget in widgets if isinstance(widget, FooterKey)]
        palette = [key for key in keys if key.has_class("-command-palette")]
        apps = [key for key in keys if (bound := active.get(key.key)) is not None and bound.node is self.app]
        compact = width < NARROW or sum(_width(key, compact=False) for key in keys) > width
        self.set_reactive(TextualFooter.compact, compact)
        self.set_class(compact, "-compact")
        for key in keys:
            if key not in palette:
                key.set_reactive(FooterKey.compact, compact)
        if compact:
            for key in palette + apps:
                self._unname(key)
            named = [key for key in keys if key.description and key not in palette]
            while named and sum(_width(key, compact=True) for key in keys) > width:
                self._unname(named.pop())
        yield from widgets

    @staticmethod
    def _unname(key: FooterKey) -> None:
        """Show the key alone; its name stays in the tooltip."""
        key.tooltip = key.tooltip or key.description
        key.description = ""

    def on_resize(self) -> None:
        if self.app.size.width != self._composed_width:
            self.call_after_refresh(self.recompose)


def _width(key: FooterKey, *, compact: bool) -> int:
    """The cells a key takes (Textual's footer CSS): compact, the key, a space and its name, and a gap after it;
    otherwise the key padded by a space each side and its name followed by one. The palette's key, docked at the
    right, takes a separator instead of the gap, which this counts the same."""
    name = cell_len(key.description)
    if compact:
        return cell_len(key.key_display) + (1 + name if name else 0) + 1
    return cell_len(key.key_display) + 2 + (name + 1 if name else 0) + (1 if key.has_class("-command-palette") else 0)
