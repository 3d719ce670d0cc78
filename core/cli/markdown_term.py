"""A model's Markdown answer drawn for a terminal with ANSI styles: headings, emphasis, code, lists, quotes, links.

core/ may not import rich, and a Markdown parser library would be a new dependency for one view of one command;
what a person needs to read an answer at a terminal is line-level (fences, headings, lists, quotes, rules) plus a
few inline marks, which fit in this module. Anything it does not know (tables, HTML) is shown as written. Control
characters in the answer are made visible first, so an answer cannot move the cursor or retitle the terminal.
"""

from __future__ import annotations

import re

from core.cli.output import visible

BOLD, DIM, ITALIC, UNDERLINE, CYAN, RESET = "\x1b[1m", "\x1b[2m", "\x1b[3m", "\x1b[4m", "\x1b[36m", "\x1b[0m"
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+(.*)$")
_QUOTE = re.compile(r"^\s{0,3}>\s?(.*)$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_INLINE = re.compile(
    r"(?P<code>(`+)(?P<code_text>.+?)\2)"
    r"|\*\*(?P<strong>.+?)\*\*|(?<!\w)__(?P<strong2>.+?)__(?!\w)"
    r"|(?<![\w*])\*(?![\s*])(?P<em>.+?)(?<![\s*])\*(?![\w*])|(?<!\w)_(?![\s_])(?P<em2>.+?)(?<![\s_])_(?!\w)"
    r"|\[(?P<link>[^\]]+)\]\((?P<url>[^)\s]+)\)"
)


def render(markdown: str) -> str:
    """The answer with ANSI styles, line by line; fenced code is shown as written, indented and coloured."""
    out: list[str] = []
    fence: str | None = None
    for line in visible(markdown).split("\n"):
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            else:
                out.append(f"    {CYAN}{line}{RESET}")
            continue
        if match := _FENCE.match(line):
            fence = match.group(1)
        elif match := _HEADING.match(line):
            style = BOLD + UNDERLINE if len(match.group(1)) <= 2 else BOLD
            out.append(f"{style}{inline(match.group(2))}{RESET}")
        elif _RULE.match(line):
            out.append(f"{DIM}{'─' * 40}{RESET}")
        elif match := _BULLET.match(line):
            out.append(f"{match.group(1)}  • {inline(match.group(2))}")
        elif match := _QUOTE.match(line):
            out.append(f"{DIM}│{RESET} {ITALIC}{inline(match.group(1))}{RESET}")
        else:
            out.append(inline(line))
    return "\n".join(out)


def inline(text: str) -> str:
    return _INLINE.sub(_styled, text)


def _styled(match: re.Match[str]) -> str:
    if match.group("code") is not None:
        return f"{CYAN}{match.group('code_text')}{RESET}"
    if (strong := match.group("strong") or match.group("strong2")) is not None:
        return f"{BOLD}{inline(strong)}{RESET}"
    if (em := match.group("em") or match.group("em2")) is not None:
        return f"{ITALIC}{inline(em)}{RESET}"
    return f"{UNDERLINE}{inline(match.group('link'))}{RESET} {DIM}({match.group('url')}){RESET}"
