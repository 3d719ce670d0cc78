"""How one line of a unified diff is drawn: headers and hunks by what they are, and the code on added, removed
and context lines highlighted in the language of the file the line belongs to (Pygments through Rich, picked
by the file's extension), over a tint of the theme's success or error colour for added or removed lines.

Each line is highlighted on its own, as DiffView draws only the lines on screen: a line inside a multi-line
string may be coloured as code. That is the price of opening a 5,000-line diff as fast as a short one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.syntax import PygmentsSyntaxTheme, Syntax
from textual.color import Color
from textual.theme import Theme

_HEADERS = tuple(
    (prefix, Style.parse(style))
    for prefix, style in (
        ("+++", "bold"),
        ("---", "bold"),
        ("diff --git", "bold magenta"),
        ("@@", "cyan"),
        ("index ", "dim"),
        ("\\ ", "dim"),
    )
)
_FILE = re.compile(r"^diff --git a/.* b/(?P<path>.*)$")
TINT = 0.18
"""How much of the theme's success / error colour is blended into the background of an added / removed line."""


def files_of(lines: list[str]) -> list[str | None]:
    """For each line, the path of the file whose section of the diff it is in (None before the first header)."""
    path: str | None = None
    owners: list[str | None] = []
    for line in lines:
        if match := _FILE.match(line):
            path = match["path"]
        owners.append(path)
    return owners


@dataclass
class DiffStyle:
    """Draws diff lines for one theme; keeps one lexer per file name."""

    theme: Theme
    _lexers: dict[str, Any] = field(default_factory=dict)
    """A Pygments lexer (or None) by path."""
    _tokens: dict[Any, Style] = field(default_factory=dict)

    def __post_init__(self) -> None:
        background = Color.parse(self.theme.background or ("#000000" if self.theme.dark else "#ffffff"))
        self.added = self._sign(background, self.theme.success or "green")
        self.removed = self._sign(background, self.theme.error or "red")
        self.syntax = PygmentsSyntaxTheme("monokai" if self.theme.dark else "friendly")

    @staticmethod
    def _sign(background: Color, colour: str) -> tuple[Style, Style]:
        """The +/- sign's style and the line's tint, from one theme colour."""
        tone = Color.parse(colour)
        return Style(color=tone.rich_color, bold=True), Style(bgcolor=background.blend(tone, TINT).rich_color)

    def lexer(self, path: str | None) -> Any:
        """The Pygments lexer for the file's language, or None when it has none we know."""
        if path is None:
            return None
        if path not in self._lexers:
            self._lexers[path] = Syntax("", Syntax.guess_lexer(path)).lexer
        return self._lexers[path]

    def token_style(self, kind: Any) -> Style:
        """The Pygments theme's style for a token kind, without the theme's own background (the line's tint or
        the console's background shows instead)."""
        if kind not in self._tokens:
            token = self.syntax.get_style_for_token(kind)
            self._tokens[kind] = Style(
                color=token.color, bold=token.bold, italic=token.italic, underline=token.underline
            )
        return self._tokens[kind]

    def tint(self, line: str) -> Style | None:
        """The background an added or removed line is drawn on to the view's edge; None for any other line."""
        return (
            None
            if self._header(line)
            else self.added[1]
            if line[:1] == "+"
            else self.removed[1]
            if line[:1] == "-"
            else None
        )

    @staticmethod
    def _header(line: str) -> Style | None:
        return next((style for prefix, style in _HEADERS if line.startswith(prefix)), None)

    def segments(self, line: str, path: str | None) -> list[Segment]:
        """One diff line as styled segments."""
        header = self._header(line)
        if header is not None or line[:1] not in ("+", "-", " "):
            return [Segment(line, header or Style.null())]
        sign = self.added[0] if line[0] == "+" else self.removed[0] if line[0] == "-" else Style.null()
        tint = self.tint(line) or Style.null()
        lexer = self.lexer(path)
        if lexer is None:  # no language known: the code in the sign's colour, as a plain diff shows it
            code = [(line[1:], Style(color=sign.color))]
        else:
            code = [
                (text.rstrip("\n"), self.token_style(kind))
                for kind, text in lexer.get_tokens(line[1:])
                if text.rstrip("\n")
            ]
        return [Segment(line[0], sign + tint), *(Segment(text, style + tint) for text, style in code)]
