"""One HTTP connection pool per endpoint for every dispatch a process runs at once (a batch).

A single dispatch opens its own client and closes it when done, as before. A batch opens a `Pool` and makes it
current for the tasks it starts (a context variable, which asyncio tasks inherit), so 200 dispatches to one
endpoint share one client and its connections instead of paying for 200 clients and 200 TLS handshakes.

Sharing a client is not enough to share connections: a reader that stops at an event stream's `[DONE]` (ours,
and the openai SDK's) closes the response before its last bytes are read, and httpx then drops the
connection. The pool's clients read those last bytes first (`_Reusable`), so the connection goes back to the
pool for the next dispatch.

An endpoint gets up to CLIENTS clients, each with its own connections, and a dispatch takes the least busy: the
first of them, unless every one made so far is in use. httpcore 1.0.9's pool, on every request it starts and
every response it closes, checks each of its connections (a getpeername and a poll for each idle one) and counts
the idle ones once per connection: quadratic in the connections it holds. With 50 dispatches kept alive in one
pool that was 1,100 passes over ~35 connections, 1.3 million state checks and 29,000 socket probes, the largest
cost on the batch's event loop; eight pools of about six connections each cost a tenth of it (encode/httpcore
#1035 makes the pass linear upstream, not yet released).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import httpx

_current: ContextVar[Pool | None] = ContextVar("dispatch_http_pool", default=None)

DRAIN_S = 0.5
"""How long a response closed early is read on for; a server still sending after that loses the connection."""
DRAIN_BYTES = 65_536
CLIENTS = 8
"""Clients (each its own connection pool) per endpoint at most; see the module docstring."""


@dataclass
class _Client:
    http: httpx.AsyncClient
    busy: int = 0
    """Dispatches using it now."""


class Pool:
    """Clients by endpoint origin (scheme, host, port); the batch that made it closes them."""

    def __init__(self) -> None:
        self.clients: dict[tuple[str, bool], list[_Client]] = {}
        self._origins: dict[str, str] = {}
        """Each URL's origin as worked out once: parsing a URL on every dispatch cost more than sending it."""

    @asynccontextmanager
    async def lease(self, url: str, tls: bool) -> AsyncIterator[httpx.AsyncClient]:
        """A client for `url`'s endpoint, counted as busy until the caller is done with it: the least busy one
        (the first of them on a tie, so idle connections are found again), or a new one while all are in use."""
        if (origin := self._origins.get(url)) is None:
            origin = self._origins[url] = str(httpx.URL(url).copy_with(path="/", query=None, fragment=None))
        clients = self.clients.setdefault((origin, tls), [])
        chosen = min(clients, key=lambda client: client.busy, default=None)
        if chosen is None or (chosen.busy and len(clients) < CLIENTS):
            limits = httpx.Limits(max_connections=None, max_keepalive_connections=64)
            http = httpx.AsyncClient(
                trust_env=False, verify=tls, limits=limits, transport=_KeepingTransport(verify=tls, limits=limits)
            )
            clients.append(chosen := _Client(http))
        chosen.busy += 1
        try:
            yield chosen.http
        finally:
            chosen.busy -= 1

    async def aclose(self) -> None:
        for clients in self.clients.values():
            for client in clients:
                await client.http.aclose()
        self.clients.clear()

    @asynccontextmanager
    async def current(self) -> AsyncIterator[Pool]:
        """Make this the pool of the calling task and of every task it starts from here on."""
        token = _current.set(self)
        try:
            yield self
        finally:
            _current.reset(token)
            await self.aclose()


@asynccontextmanager
async def client_for(url: str, tls: bool) -> AsyncIterator[httpx.AsyncClient]:
    """The current pool's client for `url`'s endpoint, or a client of its own that closes afterwards."""
    pool = _current.get()
    if pool is not None:
        async with pool.lease(url, tls) as client:
            yield client
        return
    async with httpx.AsyncClient(trust_env=False, verify=tls) as client:
        yield client


class _KeepingTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, with each response body wrapped in `_Reusable`, unless the server said it closes
    the connection after it (`Connection: close`): nothing can reuse that one, and reading its end costs about
    a fifth of a batch item's time on the event loop."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        if "close" in response.headers.get("connection", "").lower():
            return response
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_Reusable(response.stream),
            extensions=response.extensions,
        )


class _Reusable(httpx.AsyncByteStream):
    """A response body that, closed before its end, reads what is left (normally just the end of the body after
    an event stream's [DONE]) so that its connection stays open; not while its task is being cancelled, and no
    more than DRAIN_BYTES or DRAIN_S."""

    def __init__(self, inner: httpx.AsyncByteStream) -> None:
        self.inner = inner
        self.chunks = inner.__aiter__()
        """One iterator over the body, shared by the reader and the drain, so neither starts it twice."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.chunks:
            yield chunk

    async def aclose(self) -> None:
        task = asyncio.current_task()
        try:
            if task is None or not task.cancelling():
                with contextlib.suppress(TimeoutError, httpx.HTTPError):
                    async with asyncio.timeout(DRAIN_S):
                        left = DRAIN_BYTES
                        async for chunk in self.chunks:
                            left -= len(chunk)
                            if left < 0:
                                break
        finally:
            await self.inner.aclose()
