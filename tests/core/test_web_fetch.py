"""web_fetch against a real local website: allowlisted it works and is capped; without the allowlist every
route to this machine is refused before a connection is made."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from ipaddress import ip_address
from pathlib import Path

import httpx
import pytest

from core.web.addresses import Address, Allowlist
from core.web.fetch import Fetcher
from tests.fakes.website import HUGE_BYTES, Website

LOCAL = Allowlist.parse(["127.0.0.1"])


@pytest.fixture
def site() -> Iterator[Website]:
    with Website() as website:
        yield website


async def test_page_text_is_readable_without_boilerplate(site: Website) -> None:
    result = await Fetcher(allowlist=LOCAL).fetch(site.url("/article"))
    assert result.ok and result.status == 200 and result.title == "Local Article"
    assert "Verified fact: the answer is 42." in result.text
    assert "Dispatch consoles hand bounded tasks" in result.text
    assert "Home | About" not in result.text and "tracking" not in result.text and "Copyright" not in result.text
    assert result.fetched_at.endswith("+00:00")


async def test_redirect_is_followed_and_the_final_url_recorded(site: Website) -> None:
    result = await Fetcher(allowlist=LOCAL).fetch(site.url("/redirect"))
    assert result.ok and result.url == site.url("/redirect") and result.final_url == site.url("/article")
    assert result.redirects == [site.url("/article")] and result.title == "Local Article"


async def test_404_is_not_ok(site: Website) -> None:
    result = await Fetcher(allowlist=LOCAL).fetch(site.url("/missing"))
    assert result.status == 404 and not result.ok and not result.refused


async def test_slow_page_times_out(site: Website) -> None:
    result = await Fetcher(allowlist=LOCAL, timeout=0.5).fetch(site.url("/slow"))
    assert not result.ok and result.error is not None and "timed out" in result.error


async def test_huge_page_is_capped(site: Website) -> None:
    result = await Fetcher(allowlist=LOCAL, max_bytes=100_000).fetch(site.url("/huge"))
    assert result.ok and result.truncated and result.size == 100_000 < HUGE_BYTES
    assert len(result.text) < 100_000


async def test_plain_text_is_kept_as_is(site: Website) -> None:
    result = await Fetcher(allowlist=LOCAL).fetch(site.url("/plain"))
    assert result.ok and result.text == "just plain text" and result.content_type == "text/plain"


async def test_redirect_to_another_loopback_address_is_refused(site: Website) -> None:
    result = await Fetcher(allowlist=LOCAL).fetch(site.url("/to-loopback"))
    assert result.refused and not result.ok
    assert "127.0.0.2" in result.error and "loopback" in result.error
    assert result.final_url.startswith("http://127.0.0.2:")


async def test_without_the_allowlist_a_local_url_is_refused_before_connecting(site: Website) -> None:
    result = await Fetcher().fetch(site.url("/article"))
    assert result.refused and "loopback" in result.error and result.status is None
    assert site.hits == []


@pytest.mark.parametrize(
    "host",
    [
        "127.1",
        "2130706433",
        "0x7f.1",
        "0.0.0.0",
        "[::ffff:127.0.0.1]",
        "[::1]",
        "localhost",
        "017700000001",
        "[64:ff9b::7f00:1]",
        "[2002:7f00:1::]",
    ],
)
async def test_every_spelling_of_this_machine_is_refused(site: Website, host: str) -> None:
    result = await Fetcher().fetch(f"http://{host}:{site.port}/article")
    assert result.refused, result.error
    assert "loopback" in result.error or "unspecified" in result.error
    assert site.hits == []


@pytest.mark.parametrize(
    "url, why",
    [
        ("file:///etc/passwd", "scheme 'file'"),
        ("ftp://example.com/x", "scheme 'ftp'"),
        ("javascript:alert(1)", "scheme 'javascript'"),
        ("http://user:secret@example.com/", "credentials"),
        ("/relative/path", "not an absolute"),
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://[fd00:ec2::254]/", "metadata"),
        ("http://100.64.0.1/", "CGNAT"),
        ("http://127.0.0.1:99999/", "out of range"),
        ("http://127.0.0.1\n/", "not a valid URL"),
    ],
)
async def test_bad_urls_are_refused(url: str, why: str) -> None:
    result = await Fetcher().fetch(url)
    assert result.refused and why in result.error


def _resolver(table: dict[str, list[str]]):
    async def resolve(host: str, port: int) -> list[Address]:
        return [ip_address(a) for a in table[host]]

    return resolve


async def test_a_name_with_any_private_address_is_refused() -> None:
    seen: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: seen.append(request) or httpx.Response(200))
    fetcher = Fetcher(resolve=_resolver({"mixed.test": ["93.184.216.34", "10.0.0.5"]}), transport=transport)
    result = await fetcher.fetch("http://mixed.test/")
    assert result.refused and "mixed.test -> 10.0.0.5 is a private address" in result.error and seen == []


async def test_connects_to_the_checked_address_and_rechecks_each_redirect() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(302, headers={"location": "http://rebind.test/secret"})

    fetcher = Fetcher(
        resolve=_resolver({"public.test": ["93.184.216.34"], "rebind.test": ["127.0.0.1"]}),
        transport=httpx.MockTransport(handler),
    )
    result = await fetcher.fetch("https://public.test/start")
    assert len(seen) == 1
    assert seen[0].url.host == "93.184.216.34" and seen[0].headers["host"] == "public.test"
    assert seen[0].extensions["sni_hostname"] == "public.test"
    assert result.refused and "rebind.test -> 127.0.0.1 is a loopback address" in result.error
    assert result.final_url == "http://rebind.test/secret"


async def test_a_name_resolved_to_the_allowlisted_address_reaches_the_site(site: Website) -> None:
    fetcher = Fetcher(allowlist=LOCAL, resolve=_resolver({"site.test": ["127.0.0.1"]}))
    result = await fetcher.fetch(f"http://site.test:{site.port}/article")
    assert result.ok and result.title == "Local Article" and site.hits == ["/article"]


def _certificate(tmp_path: Path, name: str) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            f"/CN={name}",
            "-addext",
            f"subjectAltName=DNS:{name}",
        ],
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    return cert, key


@pytest.mark.parametrize("served_name, ok", [("site.test", True), ("other.test", False)])
async def test_tls_checks_the_name_while_connecting_to_the_checked_address(
    tmp_path: Path, served_name: str, ok: bool
) -> None:
    cert, key = _certificate(tmp_path, served_name)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    client_tls = ssl.create_default_context(cafile=str(cert))
    site = Website()
    site.httpd.socket = server_tls.wrap_socket(site.httpd.socket, server_side=True)
    with site:
        fetcher = Fetcher(
            allowlist=LOCAL,
            resolve=_resolver({"site.test": ["127.0.0.1"]}),
            transport=httpx.AsyncHTTPTransport(verify=client_tls),
        )
        result = await fetcher.fetch(f"https://site.test:{site.port}/article")
    if ok:
        assert result.ok and result.title == "Local Article" and result.final_url.startswith("https://site.test:")
    else:
        assert not result.ok and result.status is None and "CERTIFICATE_VERIFY_FAILED" in result.error
