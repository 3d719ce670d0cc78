"""One HTTP connection pool per endpoint for every dispatch a process runs at once (a batch).

A single dispatch opens its own client and closes it when done, as before. A batch opens a `Pool` and makes it
current for the tasks it starts (a context variable, which asyncio tasks inherit), so 200 dispatches to one
endpoint share one client and its connections instead of paying for 200 clients and 200 TLS handshakes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

import httpx

_current: ContextVar[Pool | None] = ContextVar("dispatch_http_pool", default=None)


class Pool:
    """Clients by endpoint origin (scheme, host, port); the batch that made it closes them."""

    def __init__(self) -> None:
        self.clients: dict[tuple[str, bool], httpx.AsyncClient] = {}

    def client(self, url: str, tls: bool) -> httpx.AsyncClient:
        key = (str(httpx.URL(url).copy_with(path="/", query=None, fragment=None)), tls)
        if key not in self.clients:
            self.clients[key] = httpx.AsyncClient(trust_env=False, verify=tls,
                                                  limits=httpx.Limits(max_connections=None, max_keepalive_connections=64))
        return self.clients[key]

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
        yield pool.client(url, tls)
        return
    async with httpx.AsyncClient(trust_env=False, verify=tls) as client:
        yield client
