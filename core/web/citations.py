"""Only verified URLs are cited: every URL in the answer is checked against what this run fetched.

A URL fetched with a 2xx (as asked, or where its redirects ended) is kept and listed as a citation. One
whose fetch failed (a 404, a refusal, a timeout) is dropped from the text. One never fetched is marked
`[unverified]`, or dropped when the model's settings say `unverified = "drop"`. The answer is rewritten
line by line, so it can still stream: URLs never span lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from core.web.fetch import FetchResult

MARK = " [unverified]"
_URL = r"https?://[^\s<>\"'`]+"
_LINKS = re.compile(
    rf"\[(?P<label>[^\]\n]*)\]\((?P<md>{_URL.replace('<>', '<>()')}(?:\([^\s()]*\)[^\s()]*)*)\)"
    rf"|<(?P<auto>{_URL.replace('<>', '<>')})>"
    rf"|(?P<bare>{_URL})"
)
_TRAILING = ".,;:!?'\"*_"


def normalize(url: str) -> str:
    """One key for the spellings of a URL that name the same page (case of host, default port, fragment, final /)."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return url
    default = {"http": 80, "https": 443}.get(parsed.scheme)
    port = f":{parsed.port}" if parsed.port and parsed.port != default else ""
    path = parsed.path.rstrip("/")
    query = f"?{parsed.query.decode('ascii', 'replace')}" if parsed.query else ""
    return f"{parsed.scheme}://{parsed.host.rstrip('.')}{port}{path}{query}"


def _trim(url: str) -> tuple[str, str]:
    """A bare URL without the punctuation that ends its sentence: (url, what was cut)."""
    end = len(url)
    while end and (
        url[end - 1] in _TRAILING
        or url[end - 1] in ")]"
        and url.count(url[end - 1], 0, end) > url.count("(" if url[end - 1] == ")" else "[", 0, end)
    ):
        end -= 1
    return url[:end], url[end:]


@dataclass
class Citations:
    unverified: str = "mark"
    fetched: dict[str, FetchResult] = field(default_factory=dict)
    cited: dict[str, FetchResult] = field(default_factory=dict)
    dropped: dict[str, dict[str, Any]] = field(default_factory=dict)
    """URL key -> {url, why}: each URL once, however often the answer repeats it."""
    marked: dict[str, str] = field(default_factory=dict)

    def record(self, result: FetchResult) -> None:
        """Remember a fetch under every URL it answers for. A success is never replaced by a failure, and a
        page fetched directly is preferred over one reached through a redirect."""
        asked = normalize(result.url)
        for url in {result.url, result.final_url, *result.redirects}:
            key = normalize(url)
            known = self.fetched.get(key)
            if known is None or result.ok and (not known.ok or key == asked):
                self.fetched[key] = result

    def begin_answer(self) -> None:
        """A new model turn: only the last turn's text is the answer, so only it is counted."""
        self.cited.clear()
        self.dropped.clear()
        self.marked.clear()

    def rewrite(self, text: str) -> str:
        return _LINKS.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        if url := match.group("md"):
            label = match.group("label")
            verdict = self._judge(url)
            return match.group(0) + (MARK if verdict == "mark" else "") if verdict != "drop" else label
        if url := match.group("auto"):
            verdict = self._judge(url)
            return match.group(0) + (MARK if verdict == "mark" else "") if verdict != "drop" else ""
        url, tail = _trim(match.group("bare"))
        verdict = self._judge(url)
        return (url + (MARK if verdict == "mark" else "") if verdict != "drop" else "") + tail

    def _judge(self, url: str) -> str:
        """keep, mark or drop, recording why."""
        key = normalize(url)
        result = self.fetched.get(key)
        if result is not None and result.ok:
            self.cited.setdefault(key, result)
            return "keep"
        if result is not None:
            why = f"HTTP {result.status}" if result.error is None else result.error
            self.dropped.setdefault(key, {"url": url, "why": why})
            return "drop"
        if self.unverified == "drop":
            self.dropped.setdefault(key, {"url": url, "why": "never fetched"})
            return "drop"
        self.marked.setdefault(key, url)
        return "mark"

    def extras(self) -> dict[str, Any]:
        """What the envelope carries about citations."""
        return {
            "citations": [
                {
                    "url": r.url,
                    "final_url": r.final_url,
                    "status": r.status,
                    "title": r.title,
                    "fetched_at": r.fetched_at,
                }
                for r in self.cited.values()
            ],
            "citations_dropped": len(self.dropped),
            "citations_unverified": len(self.marked),
        }


class LineBuffer:
    """Holds streamed text until a line is complete, so each URL is judged whole."""

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, text: str) -> str:
        self._pending += text
        cut = self._pending.rfind("\n") + 1
        ready, self._pending = self._pending[:cut], self._pending[cut:]
        return ready

    def rest(self) -> str:
        ready, self._pending = self._pending, ""
        return ready
