"""The base of the console's full screens: `self.app` typed as the DispatchApp, so a type checker sees every call
a screen makes on the app (posting's `cast("Posting", self.app)` habit).

Textual declares `app` the same way for checkers only (message_pump.py); at run time it is Textual's own
property, so this costs nothing and needs no import of tui.app, which imports the screens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

if TYPE_CHECKING:
    from textual import getters

    from tui.app import DispatchApp


class DispatchScreen(Screen[None]):
    if TYPE_CHECKING:
        app = getters.app(DispatchApp)
