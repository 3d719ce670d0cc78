"""A run's answer on screen: plain text while it streams, Markdown once it is complete if it is short.

Textual's Markdown builds a widget per block and list item, and an append re-renders the growing last block
(a list is one block): measured here, 120 kB (1,500 list items) takes ~16 s to render at once and ~0.7 s per
append, and even the first 4,000 characters streamed as Markdown cost more than the rest of the answer in
plain text. So the stream goes to StreamText, which re-wraps only what an append changed and draws only the
rows in view; a finished answer up to STREAM_MARKDOWN_LIMIT is then drawn once as Markdown, a longer one stays
plain here, and the record's Result tab renders it as Markdown up to MARKDOWN_LIMIT. The Markdown widget is
mounted only then: opening the run view is on the way to a stream's first token, and most of its cost is its
widgets.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Markdown, Static

from tui.widgets.stream_text import StreamText

MARKDOWN_LIMIT = 20_000
"""Past this a finished result is shown as plain text everywhere (the record's Result tab too)."""
STREAM_MARKDOWN_LIMIT = 4_000
"""Up to this a finished answer is drawn again as Markdown in the run view; past it, it stays plain text."""


class RunOutput(Vertical):
    DEFAULT_CSS = """
    RunOutput { height: 1fr; border: round $panel; background: $surface; }
    RunOutput:focus-within { border: round $primary; }
    RunOutput > VerticalScroll { height: 1fr; display: none; }
    RunOutput > .note { height: auto; display: none; color: $text-muted; padding: 0 1; }
    RunOutput.-markdown > VerticalScroll { display: block; }
    RunOutput.-markdown > StreamText { display: none; }
    RunOutput.-long > .note { display: block; }
    """

    def compose(self) -> ComposeResult:
        yield Static(
            f"Longer than {STREAM_MARKDOWN_LIMIT:,} characters: shown as plain text "
            "(open the record, o, for it as Markdown).",
            classes="note",
        )
        yield StreamText()

    def focus_text(self) -> None:
        """Focus what is showing, so arrow keys scroll it and letter keys reach the screen's bindings."""
        (self.query_one(StreamText) if self.plain else self.query_one(VerticalScroll)).focus()

    @property
    def plain(self) -> bool:
        return not self.has_class("-markdown")

    def append(self, chunk: str) -> None:
        self.query_one(StreamText).append(chunk)

    async def finish(self) -> None:
        """The answer is complete: draw it as Markdown if it is short enough, else say why it stays plain."""
        text = self.query_one(StreamText).text
        if len(text) > STREAM_MARKDOWN_LIMIT:
            self.add_class("-long")
        elif text:
            await self.mount(scroll := VerticalScroll(), before=0)
            await scroll.mount(markdown := Markdown())
            await markdown.update(text)
            self.add_class("-markdown")
            # The Markdown ends where the stream did: once its laid-out height is known, it scrolls to the end.
            # Scrolling right after the update raced the layout of the blocks just mounted and sometimes stopped short.
            self.watch(scroll, "virtual_size", lambda: scroll.scroll_end(animate=False, immediate=True), init=False)
