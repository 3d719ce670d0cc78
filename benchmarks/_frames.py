"""When a console under benchmark draws its frames: a hook on the app's display call, where the frame is handed
to the driver (headless in a benchmark; a terminal would be written then).

Timing to the end of Pilot's `press` or `pause` instead adds Pilot's idle detection, which sleeps 20 ms at a
time until the process looks idle (at least 40 ms a key press), and a `pause(delay)` forces a screen refresh
each time it returns, so polling with it draws more often than the app itself would. Waiting here sleeps on
asyncio only.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any


class Frames:
    """Each frame's time, with `state(screen)` read as it was drawn (by default the screen's `loads` count)."""

    def __init__(self, app: Any, state: Callable[[Any], int] = lambda screen: getattr(screen, "loads", 1)) -> None:
        self.drawn: list[tuple[float, int]] = []
        display = app._display

        def hooked(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            if renderable is not None:
                self.drawn.append((time.perf_counter(), state(screen)))

        app._display = hooked

    def first(self, state: int = 0, after: float = 0.0) -> float | None:
        """The time of the first frame after `after` drawn with at least `state`."""
        return next((at for at, shown in self.drawn if shown >= state and at > after), None)

    async def wait(self, state: int = 0, after: float = 0.0) -> float:
        while (at := self.first(state, after)) is None:
            await asyncio.sleep(0.001)
        return at
