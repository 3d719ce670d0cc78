"""The console's one-widget header does what Textual's four-widget one did: the title (and a screen's sub-title) in the
middle, the icon opening the command palette, a click elsewhere making it tall and short again."""

from __future__ import annotations

from textual.command import CommandPalette

from tests.tui.conftest import loaded, wait_for
from tui.widgets.header import ICON, ICON_WIDTH, PALETTE_TIP, Header


def line(header: Header) -> str:
    return header.render_line(header.size.height // 2).text


async def test_the_title_is_centred_and_a_sub_title_joins_it_when_set(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        header = app.screen.query_one(Header)
        shown = line(header)
        assert shown.startswith(f" {ICON} ") and shown.index("dispatch") == ICON_WIDTH + (62 - len("dispatch")) // 2
        app.screen.sub_title = "release-note"
        await wait_for(pilot, lambda: "dispatch — release-note" in line(header), "the sub-title in the header")


async def test_the_icon_opens_the_palette_and_elsewhere_a_click_makes_the_header_tall(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        header = app.screen.query_one(Header)
        await pilot.hover(Header, offset=(1, 0))
        assert header.tooltip == PALETTE_TIP
        await pilot.click(Header, offset=(40, 0))
        await wait_for(pilot, lambda: header.size.height == 3, "a tall header")
        await pilot.click(Header, offset=(40, 1))
        await wait_for(pilot, lambda: header.size.height == 1, "a one-line header")
        await pilot.click(Header, offset=(1, 0))
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the command palette")
