"""Readable text from a fetched page, so the model reads the article and not the menus, scripts and styles.

selectolax (the Lexbor HTML5 parser) does the parsing: one dependency-free wheel that imports in ~10 ms
and parses as browsers do. Boilerplate is cut by element type, and the main region is preferred when the
page marks one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DROP = (
    "script, style, noscript, template, svg, canvas, iframe, object, embed, nav, header, footer, aside, form, "
    "button, select, dialog, [hidden], [aria-hidden=true]"
)
_MAIN = "main, article, [role=main]"
_INLINE = (
    "a, abbr, b, bdi, bdo, cite, code, data, del, dfn, em, font, i, ins, kbd, label, mark, q, s, samp, small, "
    "span, strong, sub, sup, time, u, var"
)
"""Inline elements, unwrapped so their text joins the sentence around it (one query: 5x faster than unwrap_tags)."""
_SPACES = re.compile(r"[ \t\u00a0\u200b]+")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
TEXT_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "text/plain",
    "text/markdown",
    "text/csv",
    "application/json",
    "text/xml",
    "application/xml",
)


@dataclass(frozen=True)
class Page:
    title: str
    text: str


def decode(body: bytes, charset: str | None) -> str:
    """The body as text: the header's charset, else a <meta charset> in the first 4 kB, else UTF-8."""
    if not charset and (match := _CHARSET.search(body[:4096])):
        charset = match.group(1).decode("ascii")
    try:
        return body.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def readable(text: str, content_type: str) -> Page:
    """Title and readable text of a page of the given media type (HTML is reduced, other text kept)."""
    if content_type not in ("text/html", "application/xhtml+xml"):
        return Page("", _tidy(text))
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(text)
    title_node = tree.css_first("title")
    title = _SPACES.sub(" ", title_node.text()).strip() if title_node else ""
    for node in tree.css(_DROP):
        node.decompose()
    root = tree.css_first(_MAIN) or tree.body or tree.root
    if root is None:
        return Page(title, "")
    for node in root.css(_INLINE):
        node.unwrap()
    root.merge_text_nodes()
    return Page(title, _tidy(root.text(separator="\n", strip=True, skip_empty=True)))


def _tidy(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
