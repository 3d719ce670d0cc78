"""The base of the console's full screens: `self.app` typed as the DispatchApp, so a type checker sees every call
a screen makes on the app (posting's `cast("Posting", self.app)` habit), and no second styling of a screen's
widgets as it is first shown.

Textual declares `app` the same way for checkers only (message_pump.py); at run time it is Textual's own
property, so this costs nothing and needs no import of tui.app, which imports the screens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.screen import Screen

if TYPE_CHECKING:
    from textual import getters

    from tui.app import DispatchApp


class DispatchScreen(Screen[None]):
    if TYPE_CHECKING:
        app = getters.app(DispatchApp)

    _resumed = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """Textual restyles every widget of a screen each time it is shown, for a theme changed while it was
        hidden. The first time, its widgets were styled as they mounted, a moment before, with the CSS of now:
        restyling the dashboard's 21 widgets again was ~8 ms of its ~70 ms first frame. Runs before Screen's
        own handler (Textual calls each class's handler, the subclass's first)."""
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    @property
    def in_sight(self) -> bool:
        """On top, or under see-through screens only (a modal). Textual's `is_current` is true of the screen just
        under the top one even when that one is opaque: the dashboard under the run view ticked its tables, and
        each tick drew the whole run view again in the middle of a stream."""
        stack = self.app.screen_stack
        if self not in stack:
            return False
        return all(screen.styles.background.a < 1 for screen in stack[stack.index(self) + 1 :])
