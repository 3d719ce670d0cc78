"""A run's answer on screen: Markdown while it is of a size Markdown renders quickly, plain text after.

Textual's Markdown builds a widget per block and list item: measured here, 120 kB (1,500 list items) takes
~16 s to render at once and ~0.7 s per append. So a streaming answer is drawn as Markdown only while it is
short (STREAM_MARKDOWN_LIMIT); past that it moves to a read-only TextArea, which is virtualised and stays
instant at any length, and the record's Result tab renders it as Markdown up to MARKDOWN_LIMIT.
"""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Markdown, Static, TextArea

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
    RunOutput > TextArea { height: 1fr; display: none; }
    RunOutput > .note { height: auto; display: none; color: $text-muted; padding: 0 1; }
    RunOutput.-plain > VerticalScroll { display: none; }
    RunOutput.-plain > TextArea, RunOutput.-plain > .note { display: block; }
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
        yield TextArea(read_only=True, soft_wrap=True)

    def on_mount(self) -> None:
        """The answer follows the stream: whenever its laid-out height grows, it scrolls to the end. Scrolling
        right after an append raced the layout of the blocks just mounted and sometimes stopped short."""
        scroll = self.query_one(VerticalScroll)
        self.watch(scroll, "virtual_size", lambda: scroll.scroll_end(animate=False, immediate=True), init=False)

    def focus_text(self) -> None:
        """Focus what is showing, so arrow keys scroll it and letter keys reach the screen's bindings."""
        (self.query_one(TextArea) if self.plain else self.query_one(VerticalScroll)).focus()

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
            area = self.query_one(TextArea)
            area.insert(chunk, area.document.end)
            area.scroll_end(animate=False)
            return
        if self.length > STREAM_MARKDOWN_LIMIT:
            self.add_class("-plain")
            self.query_one(TextArea).load_text(full_text)
            self.query_one(TextArea).scroll_end(animate=False)
            return
        await self.query_one(Markdown).append(chunk)
        self._next_render = time.perf_counter() + 3 * (time.perf_counter() - began)
