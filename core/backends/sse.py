"""An incremental Server-Sent Events parser that does not care where the network splits bytes.

Fed raw chunks, it decodes UTF-8 incrementally (a character split across chunks is joined) and
yields one (event, data) pair per blank-line-terminated event, per the WHATWG framing rules.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator


class SSEParser:
    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._event = ""
        self._data: list[str] = []

    def feed(self, chunk: bytes) -> Iterator[tuple[str, str]]:
        self._buffer += self._decoder.decode(chunk)
        yield from self._drain(final=False)

    def close(self) -> Iterator[tuple[str, str]]:
        self._buffer += self._decoder.decode(b"", final=True)
        if self._buffer:
            self._buffer += "\n"
        yield from self._drain(final=True)
        if self._data:
            yield self._emit()

    def _drain(self, final: bool) -> Iterator[tuple[str, str]]:
        while True:
            cut = _line_end(self._buffer)
            if cut is None:
                return
            start, end = cut
            if not final and end == len(self._buffer) and self._buffer[start] == "\r":
                return
            line, self._buffer = self._buffer[:start], self._buffer[end:]
            if not line:
                if self._data:
                    yield self._emit()
                self._event = ""
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "data":
                self._data.append(value)
            elif name == "event":
                self._event = value

    def _emit(self) -> tuple[str, str]:
        event = (self._event or "message", "\n".join(self._data))
        self._data = []
        self._event = ""
        return event


def _line_end(buffer: str) -> tuple[int, int] | None:
    """Where the first line ends: (index of the terminator, index after it); a lone CR may be half a CRLF."""
    newline, carriage = buffer.find("\n"), buffer.find("\r")
    if carriage == -1 or -1 < newline < carriage:
        return None if newline == -1 else (newline, newline + 1)
    if buffer.startswith("\n", carriage + 1):
        return carriage, carriage + 2
    return carriage, carriage + 1
