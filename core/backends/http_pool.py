"""One HTTP connection pool per endpoint for every dispatch a process runs at once (a batch).

A single dispatch opens its own client and closes it when done, as before. A batch opens a `Pool` and makes it
current for the tasks it starts (a context variable, which asyncio tasks inherit), so 200 dispatches to one
endpoint share one client and its connections instead of paying for 200 clients and 200 TLS handshakes.

The pool's clients run on their own transport (core/backends/http11.py) rather than httpx's: its upkeep of pooled
connections was the largest cost on a batch's event loop, and it dropped a connection whose event stream the
reader left at `[DONE]` with the body's last bytes unread, where this one reads them and keeps it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

import httpx

from core.backends.http11 import Transport

_current: ContextVar[Pool | None] = ContextVar("dispatch_http_pool", default=None)


class Pool:
    """Clients by endpoint origin (scheme, host, port); the batch that made it closes them."""

    def __init__(self) -> None:
        self.clients: dict[tuple[str, bool], httpx.AsyncClient] = {}
        self._origins: dict[str, str] = {}
        """Each URL's origin as worked out once: parsing a URL on every dispatch cost more than sending it."""

    @asynccontextmanager
    async def lease(self, url: str, tls: bool) -> AsyncIterator[httpx.AsyncClient]:
        """The client for `url`'s endpoint (made on first use), for the caller to send with."""
        if (origin := self._origins.get(url)) is None:
            origin = self._origins[url] = str(httpx.URL(url).copy_with(path="/", query=None, fragment=None))
        if (client := self.clients.get((origin, tls))) is None:
            client = self.clients[origin, tls] = httpx.AsyncClient(trust_env=False, transport=Transport(tls))
        yield client

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.aclose()
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
