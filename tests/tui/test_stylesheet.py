"""The console's stylesheet parses each CSS source once while the theme's variables stay the same, and again with
new values when they change (tui/stylesheet.py)."""

from __future__ import annotations

import pytest
from textual.css import stylesheet as textual_stylesheet
from textual.css.stylesheet import StylesheetParseError

from tui.stylesheet import ParsedOnce


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """The CSS text of every source Textual's parser is handed."""
    handed: list[str] = []
    parse = textual_stylesheet.parse

    def counted(scope, css, *args, **kwargs):
        handed.append(css)
        return parse(scope, css, *args, **kwargs)

    monkeypatch.setattr(textual_stylesheet, "parse", counted)
    return handed


def colour(sheet: ParsedOnce) -> str:
    (rule,) = sheet.rules
    return str(rule.styles.color)


def test_a_refresh_with_the_same_variables_parses_only_sources_not_seen_yet(parses) -> None:
    sheet = ParsedOnce(variables={"accent": "red"})
    sheet.add_source("Static { color: $accent; }", read_from=("a.tcss", ""))
    sheet.parse()
    sheet.set_variables({"accent": "red"})
    sheet.reparse()
    sheet.add_source("Label { color: blue; }", read_from=("b.tcss", ""))
    sheet.reparse()
    assert parses == ["Static { color: $accent; }", "Label { color: blue; }"]


def test_new_variables_parse_every_source_again_with_their_values(parses) -> None:
    sheet = ParsedOnce(variables={"accent": "red"})
    sheet.add_source("Static { color: $accent; }", read_from=("a.tcss", ""))
    sheet.parse()
    sheet.set_variables({"accent": "blue"})
    sheet.reparse()
    assert len(parses) == 2 and "0, 0, 255" in colour(sheet)


def test_a_broken_source_raises_again_on_each_reparse_and_keeps_the_rules() -> None:
    sheet = ParsedOnce(variables={})
    sheet.add_source("Static { color: red; }", read_from=("a.tcss", ""))
    sheet.parse()
    sheet.add_source("Static { color: ; }", read_from=("b.tcss", ""))
    for _ in range(2):
        with pytest.raises(StylesheetParseError):
            sheet.reparse()
    assert "255, 0, 0" in colour(sheet)


async def test_the_console_s_start_parses_app_tcss_once_and_a_new_theme_applies(app_factory, parses) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app_tcss = [css for css in parses if "The console's layout" in css]
        background = app.screen.styles.background
        app.theme = "dispatch-light" if app.theme != "dispatch-light" else "dispatch-dark"
        await pilot.pause()
        assert len(app_tcss) == 1 and app.screen.styles.background != background
