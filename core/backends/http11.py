"""HTTP/1.1 over asyncio streams: the transport of a batch's shared clients (core/backends/http_pool.py).

httpx's own transport (httpcore's pool over anyio) cost 2.8 ms of event-loop CPU per streamed chat completion
here, 200 of them 50 at a time taking 1.2 s against a server that answers in 0.2 s, more than a batch's whole
goal; the httpx client above the transport was 0.35 ms of it. The rest was upkeep: every request and every
response closed checked each pooled connection (a getpeername and a poll for each idle one), and each read and
write went through a cancel scope and built a dict of the socket's attributes. This transport keeps idle
connections in a list per origin and does only what an API's answers need: bodies framed by Content-Length,
chunked or the connection's close, keep-alive, 1xx interim answers skipped (a 101 switch is an error: nothing here
asks for one). httpx above it still builds each request,
decodes content encodings and follows its timeouts (connect, read per read, write), raising its own errors,
which the backends already handle.

A body closed before its end (a reader stops at an event stream's `[DONE]`) is read on briefly, so that its
connection goes back to the pool instead of being dropped: up to DRAIN_BYTES or DRAIN_S, never while its task is
being cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import httpx

DRAIN_S = 0.5
"""How long a response closed early is read on for; a server still sending after that loses the connection."""
DRAIN_BYTES = 65_536
IDLE_S = 5.0
"""How long an idle connection is kept (httpx's keep-alive expiry): servers close theirs after a while."""
MAX_IDLE = 64
"""Idle connections kept per origin."""
HEAD_LIMIT = 65_536
"""Bytes an answer's status line and headers may take."""

Origin = tuple[str, str, int]


class Transport(httpx.AsyncBaseTransport):
    def __init__(self, tls: bool) -> None:
        self._ssl: ssl.SSLContext | None = None
        if tls:
            self._ssl = httpx.create_ssl_context()
            self._ssl.set_alpn_protocols(["http/1.1"])  # as httpx offers without HTTP/2: this speaks only 1.1
        self._idle: dict[Origin, list[_Connection]] = {}
        self._closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        body = request.content if isinstance(request.stream, httpx.ByteStream) else await request.aread()
        connection = self._reused(origin) or await self._connect(origin, timeouts.get("connect"), request)
        try:
            await connection.send(_head(request, body) + body, timeouts.get("write"), request)
            version, status, reason, headers = await connection.head(timeouts.get("read"), request)
        except BaseException:
            connection.close()
            raise
        fields = {name.lower(): value for name, value in headers}
        closes = (
            b"close" in fields.get(b"connection", b"").lower()
            or b"close" in request.headers.get("connection", "").lower().encode()
            or version == b"HTTP/1.0"
        )
        if request.method == "HEAD" or status in (204, 304):
            length: int | None = 0
        elif b"chunked" in fields.get(b"transfer-encoding", b"").lower():
            length = None
        elif (declared := fields.get(b"content-length")) is not None:
            length = _size(declared, 10)
            if length is None:
                connection.close()
                raise httpx.RemoteProtocolError(f"bad Content-Length {declared!r}", request=request)
        else:
            length, closes = -1, True  # read to the connection's close
        stream = _Body(self, origin, connection, length, closes, timeouts.get("read"), request)
        return httpx.Response(
            status,
            headers=headers,
            stream=stream,
            extensions={"http_version": version, "reason_phrase": reason},
        )

    async def aclose(self) -> None:
        self._closed = True
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()

    def release(self, origin: Origin, connection: _Connection) -> None:
        """A connection whose answer was read to its end, back in the pool for the next request; closed instead
        once the pool is (a body read after the client closed would otherwise leave its socket open)."""
        idle = self._idle.setdefault(origin, [])
        if self._closed or len(idle) >= MAX_IDLE:
            connection.close()
            return
        connection.idle_since = time.monotonic()
        idle.append(connection)

    def _reused(self, origin: Origin) -> _Connection | None:
        """The most recently used idle connection the server has not closed and that is not stale, if any."""
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if connection.open() and now - connection.idle_since < IDLE_S:
                return connection
            connection.close()
        return None

    async def _connect(self, origin: Origin, timeout: float | None, request: httpx.Request) -> _Connection:
        _, host, port = origin
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host, port, ssl=self._ssl, server_hostname=host if self._ssl else None, limit=HEAD_LIMIT
                )
        except TimeoutError:
            raise httpx.ConnectTimeout(f"connecting to {host}:{port} timed out", request=request) from None
        except (OSError, ssl.SSLError) as exc:
            raise httpx.ConnectError(str(exc) or type(exc).__name__, request=request) from None
        return _Connection(reader, writer)


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.idle_since = 0.0

    def open(self) -> bool:
        """Not closed by either side as far as the event loop has seen (a server's close arrives as EOF), and
        nothing sent past the last answer: those bytes would be read as the next request's answer. StreamReader
        has no public way to ask whether bytes wait in it; CPython's keeps them in `_buffer`."""
        waiting = getattr(self.reader, "_buffer", b"")
        return not self.writer.is_closing() and not self.reader.at_eof() and not waiting

    def close(self) -> None:
        self.writer.close()

    async def send(self, data: bytes, timeout: float | None, request: httpx.Request) -> None:
        try:
            async with asyncio.timeout(timeout):
                self.writer.write(data)
                await self.writer.drain()
        except TimeoutError:
            raise httpx.WriteTimeout("writing the request timed out", request=request) from None
        except OSError as exc:
            raise httpx.WriteError(str(exc) or type(exc).__name__, request=request) from None

    async def head(
        self, timeout: float | None, request: httpx.Request
    ) -> tuple[bytes, int, bytes, list[tuple[bytes, bytes]]]:
        """The answer's status line and headers, past any 1xx interim answers."""
        while True:
            block = await self.read(self.reader.readuntil(b"\r\n\r\n"), timeout, request)
            status_line, *lines = block[:-4].split(b"\r\n")
            version, _, rest = status_line.partition(b" ")
            code, _, reason = rest.partition(b" ")
            if not version.startswith(b"HTTP/1.") or not code.isdigit():
                raise httpx.RemoteProtocolError(f"not an HTTP/1.1 answer: {status_line[:80]!r}", request=request)
            headers = []
            for line in lines:
                name, colon, value = line.partition(b":")
                if not colon or not name or name != name.strip():
                    raise httpx.RemoteProtocolError(f"bad header line {line[:80]!r}", request=request)
                headers.append((name, value.strip()))
            if int(code) == 101:
                raise httpx.RemoteProtocolError(
                    "the server switched protocols, which no request here asks for", request=request
                )
            if not 100 <= int(code) < 200:
                return version, int(code), reason, headers

    async def read(self, reading: Any, timeout: float | None, request: httpx.Request) -> bytes:
        """Await one read of the stream, its failures as httpx's errors."""
        try:
            async with asyncio.timeout(timeout):
                data: bytes = await reading
                return data
        except TimeoutError:
            raise httpx.ReadTimeout("the server sent nothing in time", request=request) from None
        except asyncio.IncompleteReadError:
            raise httpx.RemoteProtocolError(
                "the server closed the connection before the answer ended", request=request
            ) from None
        except asyncio.LimitOverrunError:
            raise httpx.RemoteProtocolError(
                "the answer's headers or a chunk line are too long", request=request
            ) from None
        except OSError as exc:
            raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from None
        finally:
            if asyncio.iscoroutine(reading):
                reading.close()  # not awaited when the timeout had already passed


class _Body(httpx.AsyncByteStream):
    """One answer's body off its connection, which goes back to the pool once the body has been read to its end."""

    def __init__(
        self,
        transport: Transport,
        origin: Origin,
        connection: _Connection,
        length: int | None,
        closes: bool,
        timeout: float | None,
        request: httpx.Request,
    ) -> None:
        self.transport = transport
        self.origin = origin
        self.connection: _Connection | None = connection
        self.left = length
        """Bytes still to come: None for a chunked body, -1 for one that ends with the connection."""
        self.closes = closes
        self.timeout = timeout
        self.request = request
        self.done = length == 0
        self._chunks = self._read()
        """One reader of the body, shared by the caller and the drain, so that neither starts it twice."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._chunks:
            yield chunk

    async def _read(self) -> AsyncGenerator[bytes, None]:
        connection = self.connection
        assert connection is not None
        reader, read = connection.reader, connection.read
        while not self.done:
            if self.left is None:
                line = await read(reader.readuntil(b"\r\n"), self.timeout, self.request)
                size = _size(line.split(b";", 1)[0].strip(), 16)
                if size is None:
                    raise httpx.RemoteProtocolError(f"bad chunk size {line[:40]!r}", request=self.request)
                if size == 0:
                    while await read(reader.readuntil(b"\r\n"), self.timeout, self.request) != b"\r\n":
                        pass  # trailers
                    self.done = True
                    return
                chunk = await read(reader.readexactly(size + 2), self.timeout, self.request)
                if chunk[-2:] != b"\r\n":
                    raise httpx.RemoteProtocolError(
                        "a chunk of the answer is longer than its size says", request=self.request
                    )
                yield chunk[:-2]
            elif self.left < 0:
                chunk = await read(reader.read(65_536), self.timeout, self.request)
                if not chunk:
                    self.done = True
                    return
                yield chunk
            else:
                chunk = await read(reader.read(min(self.left, 65_536)), self.timeout, self.request)
                if not chunk:
                    raise httpx.RemoteProtocolError(
                        f"the server closed the connection {self.left} bytes before the body's end",
                        request=self.request,
                    )
                self.left -= len(chunk)
                self.done = self.left == 0
                yield chunk

    async def aclose(self) -> None:
        connection, self.connection = self.connection, None
        if connection is None:
            return
        try:
            task = asyncio.current_task()
            if not self.done and not self.closes and (task is None or not task.cancelling()):
                with contextlib.suppress(TimeoutError, httpx.HTTPError):
                    async with asyncio.timeout(DRAIN_S):
                        left = DRAIN_BYTES
                        async for chunk in self._chunks:
                            left -= len(chunk)
                            if left < 0:
                                break
        finally:
            await self._chunks.aclose()
            if self.done and not self.closes:
                self.transport.release(self.origin, connection)
            else:
                connection.close()


def _head(request: httpx.Request, body: bytes) -> bytes:
    """The request line and headers; the body is sent whole, so it is framed by its length."""
    url = request.url
    lines = [b"%s %s HTTP/1.1" % (request.method.encode("ascii"), url.raw_path)]
    for name, value in request.headers.raw:
        if name.lower() not in (b"content-length", b"transfer-encoding"):
            lines.append(name + b": " + value)
    if body or request.method in ("POST", "PUT", "PATCH"):
        lines.append(b"Content-Length: %d" % len(body))
    return b"\r\n".join(lines) + b"\r\n\r\n"


_DIGITS = {10: b"0123456789", 16: b"0123456789abcdefABCDEF"}


def _size(digits: bytes, base: int) -> int | None:
    """A Content-Length or chunk size, or None for anything but digits of `base`: int() also takes a sign, spaces
    and underscores, and a negative size would read to the connection's close or fail inside asyncio."""
    if not digits or digits.strip(_DIGITS[base]):
        return None
    return int(digits, base)
