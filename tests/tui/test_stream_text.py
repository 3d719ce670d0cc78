"""StreamText: an answer appended in pieces reads exactly as the whole, wrapped at the widget's width, following
the end unless the reader scrolled away, and wrapped again when the width changes."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tui.widgets.stream_text import StreamText, wrap

TEXT = "\n".join(
    f"- item {i}: " + " ".join(["words"] * (i % 13)) + ("\tand a tab" if i % 7 == 0 else "") for i in range(120)
)


class One(App[None]):
    def compose(self) -> ComposeResult:
        yield StreamText()


def pieces(text: str, size: int) -> list[str]:
    return [text[at : at + size] for at in range(0, len(text), size)]


def rows_of(text: str, width: int) -> list[str]:
    return [row for line in text.split("\n") for row in wrap(line, width)]


def test_wrap_breaks_between_words_and_keeps_every_character() -> None:
    assert wrap("", 10) == [""]
    assert wrap("short", 10) == ["short"]
    assert wrap("one two three four", 9) == ["one two", "three", "four"]
    assert wrap("é" * 12, 5) == ["ééééé", "ééééé", "éé"]
    assert wrap("a\x1b[2Jb", 20) == ["a\ufffd[2Jb"], "an escape code is shown, not sent to the terminal"


async def test_pieces_wrap_as_the_whole_and_the_view_follows_the_end() -> None:
    app = One()
    async with app.run_test(size=(40, 10)) as pilot:
        view = app.query_one(StreamText)
        for piece in pieces(TEXT, 37):
            view.append(piece)
        await pilot.pause()
        width = view.scrollable_content_region.width
        assert view.text == TEXT
        assert view._rows == rows_of(TEXT, width)
        assert view.virtual_size.height == len(view._rows) > 10
        assert view.scroll_y == view.max_scroll_y > 0, "the last rows are in view"
        last = view._rows[-1]
        assert last in "".join(strip.text for strip in (view.render_line(y) for y in range(view.size.height)))


async def test_a_reader_scrolled_up_stays_where_they_are() -> None:
    app = One()
    async with app.run_test(size=(40, 10)) as pilot:
        view = app.query_one(StreamText)
        view.append(TEXT[:2000])
        await pilot.pause()
        view.scroll_to(y=3, animate=False, immediate=True)
        view.append(TEXT[2000:])
        await pilot.pause()
        assert view.scroll_y == 3
        assert view.max_scroll_y > 3


async def test_a_new_width_wraps_everything_again() -> None:
    app = One()
    async with app.run_test(size=(60, 10)) as pilot:
        view = app.query_one(StreamText)
        view.append(TEXT)
        await pilot.pause()
        wide = len(view._rows)
        await pilot.resize_terminal(30, 10)
        await pilot.pause()
        assert view._rows == rows_of(TEXT, view.scrollable_content_region.width)
        assert len(view._rows) > wide
