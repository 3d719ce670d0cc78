"""A run's answer on screen: Markdown while it is of a size Markdown renders quickly, plain text after.

Textual's Markdown builds a widget per block and list item: measured here, 120 kB (1,500 list items) takes
~16 s to render at once and ~0.7 s per append. So a streaming answer is drawn as Markdown only while it is
short (STREAM_MARKDOWN_LIMIT); past that it moves to plain text (StreamText, which re-wraps only what an append
changed and draws only the rows in view), and the record's Result tab renders it as Markdown up to MARKDOWN_LIMIT.
"""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Markdown, Static

from tui.widgets.stream_text import StreamText

MARKDOWN_LIMIT = 20_000
"""Past this a finished result is shown as plain text everywhere (the record's Result tab too)."""
STREAM_MARKDOWN_LIMIT = 4_000
"""Past this a streaming answer moves to plain text: each Markdown append re-renders the growing last block,
which made a 120 kB stream take 8x as long to draw as the engine took to receive it."""


class RunOutput(Vertical):
    DEFAULT_CSS = """
    RunOutput { height: 1fr; border: round $panel; background: $surface; }
    RunOutput:focus-within { border: round $primary; }
    RunOutput > VerticalScroll { height: 1fr; }
    RunOutput > StreamText { display: none; }
    RunOutput > .note { height: auto; display: none; color: $text-muted; padding: 0 1; }
    RunOutput.-plain > VerticalScroll { display: none; }
    RunOutput.-plain > StreamText, RunOutput.-plain > .note { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.length = 0
        self._next_render = 0.0

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown()
        yield Static(
            f"Longer than {STREAM_MARKDOWN_LIMIT:,} characters: shown as plain text while it streams "
            "(open the record, o, for it as Markdown).",
            classes="note",
        )
        yield StreamText()

    def on_mount(self) -> None:
        """The answer follows the stream: whenever its laid-out height grows, it scrolls to the end. Scrolling
        right after an append raced the layout of the blocks just mounted and sometimes stopped short."""
        scroll = self.query_one(VerticalScroll)
        self.watch(scroll, "virtual_size", lambda: scroll.scroll_end(animate=False, immediate=True), init=False)

    def focus_text(self) -> None:
        """Focus what is showing, so arrow keys scroll it and letter keys reach the screen's bindings."""
        (self.query_one(StreamText) if self.plain else self.query_one(VerticalScroll)).focus()

    @property
    def plain(self) -> bool:
        return self.has_class("-plain")

    def ready(self, done: bool) -> bool:
        """Whether to draw new text now: Markdown appends re-render their last block, which grows with the
        text, so after each one we wait three times as long as it took (a stream then costs ~1.3x a render)."""
        return done or self.plain or time.perf_counter() >= self._next_render

    async def append(self, chunk: str, full_text: str) -> None:
        began = time.perf_counter()
        self.length += len(chunk)
        if self.plain:
            self.query_one(StreamText).append(chunk)
            return
        if self.length > STREAM_MARKDOWN_LIMIT:
            self.add_class("-plain")
            self.query_one(StreamText).append(full_text)
            return
        await self.query_one(Markdown).append(chunk)
        self._next_render = time.perf_counter() + 3 * (time.perf_counter() - began)
