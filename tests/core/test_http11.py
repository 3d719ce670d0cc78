"""The batch pool's HTTP/1.1 transport (core/backends/http11.py) against a scripted server on 127.0.0.1: how it
frames bodies, when it keeps a connection, and which httpx error each failure is."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from core.backends.http11 import Transport


class Scripted:
    """A server that answers each request with the next of `answers`, counting the connections it accepts."""

    def __init__(self, answers: list[bytes | None], hang_up: bool = False) -> None:
        self.answers = answers
        """Raw answers in order; None closes the connection instead of answering."""
        self.hang_up = hang_up
        """Close the connection after each answer (without saying so)."""
        self.connections = 0
        self.closed = asyncio.Event()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while self.answers:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    ),
                    0,
                )
                await reader.readexactly(length)
                answer = self.answers.pop(0)
                if answer is None:
                    break
                writer.write(answer)
                await writer.drain()
                if self.hang_up:
                    break
        except asyncio.IncompleteReadError:
            pass
        writer.close()
        self.closed.set()


@asynccontextmanager
async def serving(
    answers: list[bytes | None], hang_up: bool = False
) -> AsyncIterator[tuple[Scripted, httpx.AsyncClient, str]]:
    script = Scripted(answers, hang_up)
    server = await asyncio.start_server(script.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with httpx.AsyncClient(transport=Transport(tls=False)) as client:
        yield script, client, f"http://127.0.0.1:{port}/v1/chat"
    server.close()


async def raised_by(*answers: bytes | None, hang_up: bool = False, timeout: float | None = 5) -> type[Exception] | None:
    """The httpx error one request to a server scripted with `answers` raises, or None."""
    async with serving(list(answers), hang_up) as (_, client, url):
        try:
            await client.post(url, json={}, timeout=timeout)
        except httpx.HTTPError as exc:
            return type(exc)
    return None


def chunked(*pieces: bytes) -> bytes:
    body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces)
    return b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body + b"0\r\nX-Trailer: 1\r\n\r\n"


def sized(body: bytes, *headers: bytes) -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\n"
        + b"".join(h + b"\r\n" for h in headers)
        + b"Content-Length: %d\r\n\r\n" % len(body)
        + body
    )


def test_chunked_and_sized_bodies_are_read_whole_over_one_kept_connection() -> None:
    async def run() -> tuple[list[bytes], int]:
        answers = [chunked(b"data: a\n\n", b"data: b\n\n"), b"HTTP/1.1 100 Continue\r\n\r\n" + sized(b"{}")]
        async with serving(answers) as (script, client, url):
            first = await client.post(url, json={"n": 1})
            second = await client.post(url, json={"n": 2})
            return [first.content, second.content], script.connections

    bodies, connections = asyncio.run(run())
    assert bodies == [b"data: a\n\ndata: b\n\n", b"{}"]
    assert connections == 1


def test_a_connection_the_server_closed_or_said_it_closes_is_not_used_again() -> None:
    async def run() -> tuple[list[bytes], int]:
        answers = [sized(b"one"), None, sized(b"two", b"Connection: close"), sized(b"three")]
        async with serving(answers) as (script, client, url):
            got = [(await client.post(url, json={})).content]
            with pytest.raises(httpx.RemoteProtocolError):
                await client.post(url, json={})  # the server hung up on a reused connection without answering
            got.append((await client.post(url, json={})).content)
            got.append((await client.post(url, json={})).content)
            return got, script.connections

    got, connections = asyncio.run(run())
    assert got == [b"one", b"two", b"three"]
    assert connections == 3


def test_an_idle_connection_closed_by_the_server_is_left_for_a_new_one() -> None:
    async def run() -> tuple[bytes, int]:
        script = Scripted([sized(b"one")])
        server = await asyncio.start_server(script.handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        transport = Transport(tls=False)
        async with httpx.AsyncClient(transport=transport) as client:
            await client.post(f"http://127.0.0.1:{port}/", json={})
            await script.closed.wait()  # the script ran out: the server closed its side
            script.answers.append(sized(b"two"))
            (kept,) = transport._idle[("http", "127.0.0.1", port)]
            async with asyncio.timeout(5):
                while kept.open():
                    await asyncio.sleep(0)  # until the loop has read the close
            body = (await client.post(f"http://127.0.0.1:{port}/", json={})).content
        server.close()
        return body, script.connections

    assert asyncio.run(run()) == (b"two", 2)


def test_failures_are_httpx_errors() -> None:
    async def refused() -> type[Exception] | None:
        probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = probe.sockets[0].getsockname()[1]
        probe.close()
        await probe.wait_closed()
        async with httpx.AsyncClient(transport=Transport(tls=False)) as client:
            try:
                await client.get(f"http://127.0.0.1:{port}/")
            except httpx.HTTPError as exc:
                return type(exc)
        return None

    cut_short = sized(b"0123456789")[:-4]
    assert asyncio.run(raised_by(cut_short, hang_up=True, timeout=None)) is httpx.RemoteProtocolError
    assert asyncio.run(raised_by(cut_short, None, timeout=0.05)) is httpx.ReadTimeout  # the server waits on
    assert asyncio.run(raised_by(b"SPDY/3 200 OK\r\n\r\n", timeout=None)) is httpx.RemoteProtocolError
    assert asyncio.run(refused()) is httpx.ConnectError


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl to make a certificate")
def test_an_https_endpoint_is_verified_against_the_trusted_certificates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server whose certificate the client trusts (SSL_CERT_FILE, as httpx honours it) is reached and its
    connection kept; one it does not trust is refused as a connect error, never spoken to in the clear."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    async def run(trusted: Path | None) -> tuple[list[bytes], int] | type[Exception]:
        script = Scripted([sized(b"one"), sized(b"two")])
        server = await asyncio.start_server(script.handle, "127.0.0.1", 0, ssl=context)
        url = f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
        if trusted is not None:
            monkeypatch.setenv("SSL_CERT_FILE", str(trusted))
        try:
            async with httpx.AsyncClient(transport=Transport(tls=True)) as client:
                return [(await client.post(url, json={})).content for _ in range(2)], script.connections
        except httpx.HTTPError as exc:
            return type(exc)
        finally:
            server.close()

    assert asyncio.run(run(cert)) == ([b"one", b"two"], 1)
    monkeypatch.delenv("SSL_CERT_FILE")
    assert asyncio.run(run(None)) is httpx.ConnectError


def test_a_negative_length_or_chunk_size_is_a_protocol_error() -> None:
    """A length below zero frames nothing: read as `read to the close` it would hang on a kept-alive connection,
    and as a chunk size it was a ValueError out of asyncio's readexactly, a traceback rather than an httpx error."""

    negative_length = b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"
    negative_chunk = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nabc\r\n0\r\n\r\n"
    assert asyncio.run(raised_by(negative_length)) is httpx.RemoteProtocolError
    assert asyncio.run(raised_by(negative_chunk)) is httpx.RemoteProtocolError


def test_a_body_read_after_the_transport_closed_closes_its_connection() -> None:
    """A response still open as its client closes (a batch ending around a straggler) is not put back in the
    closed pool when it ends, where nothing would ever close its socket."""

    async def run() -> tuple[bytes, int]:
        transport = Transport(tls=False)
        script = Scripted([sized(b"late")])
        server = await asyncio.start_server(script.handle, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
        client = httpx.AsyncClient(transport=transport)
        async with client.stream("POST", url, json={}) as response:
            await transport.aclose()
            body = await response.aread()
        server.close()
        return body, sum(len(connections) for connections in transport._idle.values())

    assert asyncio.run(run()) == (b"late", 0)


def test_a_chunk_longer_than_its_size_or_a_protocol_switch_is_a_protocol_error() -> None:
    overlong = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n"
    switched = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n" + sized(b"{}")
    assert asyncio.run(raised_by(overlong)) is httpx.RemoteProtocolError
    assert asyncio.run(raised_by(switched)) is httpx.RemoteProtocolError


def test_bytes_sent_past_an_answer_are_not_taken_for_the_next_one() -> None:
    """A server that sends more than its Content-Length (a second, unasked-for answer glued on) would answer the
    next request on that connection with those bytes: the connection is dropped instead of reused."""

    async def run() -> tuple[list[bytes], int]:
        answers = [sized(b"one") + sized(b"smuggled"), sized(b"two")]
        transport = Transport(tls=False)
        script = Scripted(answers)
        server = await asyncio.start_server(script.handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with httpx.AsyncClient(transport=transport) as client:
            first = (await client.post(f"http://127.0.0.1:{port}/", json={})).content
            (kept,) = transport._idle[("http", "127.0.0.1", port)]
            async with asyncio.timeout(5):
                while kept.open():
                    await asyncio.sleep(0)  # until the loop has read what followed the answer
            second = (await client.post(f"http://127.0.0.1:{port}/", json={})).content
        server.close()
        return [first, second], script.connections

    bodies, connections = asyncio.run(run())
    assert bodies == [b"one", b"two"]
    assert connections == 2
