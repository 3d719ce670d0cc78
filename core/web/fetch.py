"""web_fetch: get a page a model chose without letting the model reach anything it should not.

Every hop is checked before any byte is sent: only http(s), no credentials in the URL, the host resolved
and every address judged (core.web.addresses), then the connection goes to the address that was checked
(the URL is rewritten to the IP; Host and TLS SNI keep the name), so a second DNS answer cannot swap it.
Redirects are followed by hand for the same reason. Size and time are capped; proxies from the
environment are ignored. Failures come back as a result with `error`, never as an exception, because the
model should see them and carry on.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from core.web.addresses import Address, Allowlist, parse_host, refusal
from core.web.extract import TEXT_TYPES, decode, readable

Resolver = Callable[[str, int], Awaitable[list[Address]]]

USER_AGENT = "dispatch-console/0.1 (web research; +https://pypi.org/project/dispatch-console/)"
_REDIRECTS = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 5


@dataclass
class FetchResult:
    url: str
    """The URL the model asked for."""
    final_url: str
    status: int | None = None
    """The last HTTP status; None when refused or failed before any response."""
    title: str = ""
    text: str = ""
    content_type: str = ""
    truncated: bool = False
    error: str | None = None
    refused: bool = False
    """True when the address check (not the network) stopped the fetch."""
    redirects: list[str] = field(default_factory=list)
    size: int = 0
    fetched_at: str = ""
    elapsed_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300


class Refused(Exception):
    """The URL or an address it leads to is not one a model may reach."""


async def system_resolve(host: str, port: int) -> list[Address]:
    """Every address the system resolver gives for host (IPv4 and IPv6)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[Address] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in seen:
            seen.append(address)
    return seen


class Fetcher:
    def __init__(
        self,
        *,
        allowlist: Allowlist = Allowlist(),
        timeout: float = 20.0,
        max_bytes: int = 2_000_000,
        resolve: Resolver = system_resolve,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.allowlist = allowlist
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._resolve = resolve
        self._transport = transport

    async def fetch(self, url: str) -> FetchResult:
        result = FetchResult(url=url, final_url=url, fetched_at=datetime.now(UTC).isoformat(timespec="seconds"))
        began = time.monotonic()
        try:
            async with asyncio.timeout(self.timeout):
                await self._follow(result)
        except Refused as exc:
            result.error, result.refused = f"refused: {exc}", True
        except TimeoutError:
            result.error = f"timed out after {self.timeout:g} s"
        except httpx.InvalidURL as exc:
            result.error, result.refused = f"refused: not a valid URL ({exc})", True
        except httpx.HTTPError as exc:
            result.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        result.elapsed_ms = int((time.monotonic() - began) * 1000)
        return result

    async def _follow(self, result: FetchResult) -> None:
        url = _parse(result.url)
        async with httpx.AsyncClient(
            trust_env=False, timeout=self.timeout, transport=self._transport, follow_redirects=False
        ) as client:
            for _ in range(MAX_REDIRECTS + 1):
                result.final_url = str(url)
                address = await self._checked_address(url)
                request = client.build_request(
                    "GET", url.copy_with(host=str(address)), headers=_headers(url), extensions=_tls(url)
                )
                response = await client.send(request, stream=True)
                try:
                    result.status = response.status_code
                    location = response.headers.get("location")
                    if response.status_code in _REDIRECTS and location:
                        url = _parse(str(url.join(location)))
                        result.redirects.append(str(url))
                        continue
                    await self._read(response, result)
                    return
                finally:
                    await response.aclose()
        result.error = f"more than {MAX_REDIRECTS} redirects"

    async def _checked_address(self, url: httpx.URL) -> Address:
        """The address to connect to, after judging every address the host has."""
        if url.scheme not in ("http", "https"):
            raise Refused(f"scheme '{url.scheme}' is not allowed (only http and https)")
        if url.userinfo:
            raise Refused("credentials in the URL are not allowed")
        host = url.host
        if not host:
            raise Refused("the URL has no host")
        if url.port is not None and not 0 < url.port < 65536:
            raise Refused(f"port {url.port} is out of range")
        literal = parse_host(host)
        if literal is not None:
            addresses = [literal]
        else:
            try:
                addresses = await self._resolve(url.raw_host.decode("ascii"), url.port or _default_port(url))
            except (OSError, UnicodeError) as exc:
                raise httpx.ConnectError(f"cannot resolve {host}: {exc}") from None
            if not addresses:
                raise httpx.ConnectError(f"{host} has no address")
        for address in addresses:
            if not self.allowlist.allows(host, address) and (why := refusal(address)):
                raise Refused(f"{host} -> {why}" if literal is None else why)
        return addresses[0]

    async def _read(self, response: httpx.Response, result: FetchResult) -> None:
        media, _, params = response.headers.get("content-type", "").partition(";")
        result.content_type = media.strip().lower() or "application/octet-stream"
        if result.content_type not in TEXT_TYPES:
            return
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > self.max_bytes:
                del body[self.max_bytes :]
                result.truncated = True
                break
        result.size = len(body)
        charset = next(
            (p.split("=", 1)[1].strip().strip('"') for p in params.split(";") if p.strip().startswith("charset=")), None
        )
        page = readable(decode(bytes(body), charset), result.content_type)
        result.title, result.text = page.title, page.text


def _parse(url: str) -> httpx.URL:
    parsed = httpx.URL(url.strip())
    if parsed.scheme and parsed.scheme not in ("http", "https"):
        raise Refused(f"scheme '{parsed.scheme}' is not allowed (only http and https)")
    if not parsed.is_absolute_url:
        raise Refused(f"'{url}' is not an absolute http(s) URL")
    return parsed.copy_with(fragment=None)


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


def _headers(url: httpx.URL) -> dict[str, str]:
    return {
        "Host": url.netloc.decode("ascii"),
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5",
    }


def _tls(url: httpx.URL) -> dict[str, str]:
    """Keep TLS talking to the name (SNI and certificate check) while the socket goes to the checked IP."""
    return (
        {"sni_hostname": url.raw_host.decode("ascii")} if url.scheme == "https" and parse_host(url.host) is None else {}
    )
