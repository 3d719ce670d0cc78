"""Input sufficiency: the Inputs section must hand over the material, not name it.

A stateless model (an HTTP chat model, the local one) sees the spec and the files dispatch sends with it, nothing
else: its Inputs must hold the thing itself (pasted text, a code block, a data list) or a path under --cwd, which
dispatch reads and sends. A web run may also be given URLs. An agent works in a repository, so it may be pointed
at modules and directories there, by path. "The attached spreadsheet", "the profiler output", "the auth service"
name something the contractor cannot open.
"""

from __future__ import annotations

import re
from pathlib import Path

from core.checklist import prose
from core.checklist.target import Target
from core.spec import NOT_A_PATH, PATHLIKE, Finding, Spec, path_exists

_THING = (r"(?:spreadsheets?|sheets?|screenshots?|images?|photos?|pictures?|mockups?|designs?|figma(?: file)?|"
          r"wireframes?|files?|documents?|docs?|pdfs?|recordings?|videos?|audio|transcripts?|tickets?|issues?|"
          r"logs?|output|exports?|dumps?|tables?|database|db|warehouse|schemas?|modules?|packages?|services?|"
          r"layers?|components?|library|codebase|repo(?:sitory)?|functions?|class(?:es)?|scripts?|code|pages?|"
          r"site|website|email|emails|thread|conversation|chat|data|dataset|results|responses|failures|reports?|"
          r"notes|folder|drive|bucket|dashboard|notebook|slides|deck|agreement|contract|PR|pull request|"
          r"attachment|survey|interview|feedback|backlog|board pack|endpoint|api|config(?:uration)?)")
_FILLER = r"(?!(?:in|of|for|from|on|with|to|at|by|and|or|that|which|is|are|was|were)\s)"
"""A word inside the noun phrase: 'the timezone bug in reports' names a bug, not the reports."""
_NAMED = re.compile(rf"\b(?:the|our|my|your|their|this|that|a sample of|some of the|see the|see)\s+"
                    rf"(?:{_FILLER}[\w'’/-]+\s+){{0,4}}?{_THING}\b", re.IGNORECASE)
"""A definite mention of a thing: 'the profiler output', 'our logging module', 'the Figma file for X'."""
_NONE = re.compile(r"^\W*(?:none|nothing|n/?a|no inputs?)\b|\b(?:self-contained|in this spec|the goal is the whole|"
                   r"in the goal|whole input|whole brief|everything needed is)\b", re.IGNORECASE)
_URL = re.compile(r"\bhttps?://\S+")
_DATA_ON_LINE = re.compile(r":\s*\S.*\S|\w\([\w ,]+\)|(?:\d[\d.,%]*\w*\W+.*){2,}|(?:[^,;]+[,;]){2,}[^,;]+",
                           re.IGNORECASE)
"""Data on the line itself: 'Schema: users(...)', 'table t(id, name)', two or more figures, a list of three."""

FIX = {
    Target.STATELESS: "paste it into the spec (text, a code block or a data list) or give its path under --cwd, "
                      "which dispatch sends with the spec",
    Target.WEB: "paste it, give its path under --cwd, or give the URL to read",
    Target.AGENT: "give its path in the repository (a file or directory under --cwd)",
}


def check(spec: Spec, target: Target, cwd: Path | None) -> list[Finding]:
    section = spec.sections.get("inputs")
    if section is None:
        return []
    findings: list[Finding] = []
    for line in prose.lines(section):
        text = line.text
        if line.data or not text.strip() or _NONE.search(text) or _given(text, target, cwd):
            continue
        if target is Target.STATELESS and (url := _URL.search(text)):
            findings.append(prose.finding("input-not-given", line.number, url.group(0),
                                          "is a URL, and this model cannot open it",
                                          "paste the page's content, or dispatch with --mode web"))
            continue
        if match := _NAMED.search(text):
            findings.append(prose.finding("input-not-given", line.number, match.group(0),
                                          f"is named but not given: a {target.noun} cannot see it", FIX[target]))
    return findings


def _given(text: str, target: Target, cwd: Path | None) -> bool:
    """The line hands something over: data, a path (that exists, when there is a --cwd to look in), a web URL."""
    if target is Target.WEB and _URL.search(text):
        return True
    text = _URL.sub(" ", text)
    if prose.DATA in text or _DATA_ON_LINE.search(_NAMED.sub(" ", text)):
        return True
    paths = [path.rstrip(".,;:") for path in PATHLIKE.findall(text) if not NOT_A_PATH.fullmatch(path)]
    return any(cwd is None or _exists(cwd, path) for path in paths)


def _exists(cwd: Path, path: str) -> bool:
    try:
        return path_exists(cwd, path)
    except (OSError, ValueError):
        return False
