"""App-wide messages: what screens learn from the app without holding references to each other."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class RunsChanged(Message, bubble=False):
    """Run files changed on disk (this console or another process); lists should reload."""

    slug: str | None = None

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RunsChanged)


@dataclass
class LiveRunEnded(Message, bubble=False):
    """A dispatch this console started has finished."""

    key: int
