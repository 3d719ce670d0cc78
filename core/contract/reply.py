"""The views of an answer that the checks read: its fenced blocks, the prose around them, its list items, lines,
sentences and words, each worked out once per answer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

_FENCE_OPEN = re.compile(r"^ {0,3}(?P<mark>`{3,}|~{3,})\s*(?P<lang>[\w+#.-]*)[^\n]*$")
_BULLET = re.compile(r"^\s*[-*+•]\s+(?P<item>\S.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(?P<item>\S.*)$")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*(?:\s+|$)")
_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+•]\s+|\d{1,3}[.)]\s+)")


@dataclass(frozen=True)
class Fence:
    lang: str
    body: str


class Reply:
    def __init__(self, text: str) -> None:
        self.text = text.strip()

    @cached_property
    def _split(self) -> tuple[list[Fence], str]:
        fences: list[Fence] = []
        prose: list[str] = []
        lines = self.text.splitlines()
        index = 0
        while index < len(lines):
            opened = _FENCE_OPEN.match(lines[index])
            if opened is None:
                prose.append(lines[index])
                index += 1
                continue
            mark, body = opened["mark"], []
            index += 1
            closing = re.compile(f"{re.escape(mark[0])}{{{len(mark)},}}")
            while index < len(lines) and not closing.fullmatch(lines[index].strip()):
                body.append(lines[index])
                index += 1
            index += 1
            fences.append(Fence(opened["lang"].lower(), "\n".join(body)))
        return fences, "\n".join(prose).strip()

    @property
    def fences(self) -> list[Fence]:
        return self._split[0]

    @property
    def prose(self) -> str:
        """The text outside fenced blocks."""
        return self._split[1]

    @property
    def payload(self) -> str:
        """What a format is parsed from: the one fenced block when the answer is nothing else, else the whole text."""
        if len(self.fences) == 1 and not self.prose:
            return self.fences[0].body.strip()
        return self.text

    @cached_property
    def lines(self) -> list[str]:
        return [line for line in self.payload.splitlines() if line.strip()]

    @cached_property
    def bullets(self) -> list[str]:
        return [m["item"] for line in self.prose.splitlines() if (m := _BULLET.match(line))]

    @cached_property
    def numbered(self) -> list[str]:
        return [m["item"] for line in self.prose.splitlines() if (m := _NUMBERED.match(line))]

    @property
    def list_items(self) -> list[str]:
        return self.bullets + self.numbered

    @cached_property
    def paragraphs(self) -> list[str]:
        return [block for block in re.split(r"\n\s*\n", self.payload) if block.strip()]

    def sentences(self, text: str | None = None) -> list[str]:
        """Sentences of prose: a paragraph's lines are joined (wrapped text is one sentence), and a list item or a
        heading is a sentence of its own even without a full stop."""
        source = self.prose if text is None else text
        found: list[str] = []
        held: list[str] = []

        def flush() -> None:
            found.extend(part for part in _SENTENCE_END.split(" ".join(held)) if _WORD.search(part))
            held.clear()

        for line in source.splitlines():
            if not line.strip() or _MARKUP.match(line):
                flush()
            held.append(_MARKUP.sub("", line).strip())
            if _MARKUP.match(line):
                flush()
        flush()
        return found

    @staticmethod
    def words(text: str) -> list[str]:
        return _WORD.findall(text)
