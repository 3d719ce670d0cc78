"""What a batch's items share, seen from the fake servers on 127.0.0.1: one connection pool per endpoint (for
the HTTP backend and for the web backend's model API and search API), and one rate limit whose pace the
server sees.

A server that keeps connections alive sees a pooled client come back on the connections it already has: the
same client address again. Without the shared pool each item would open its own, one new address per item.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.backends import http_pool
from tests.batch.test_batch_cli import configure, lines, spec
from tests.batch.test_limits import most_in_any_window
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.fakes.website import Website
from tests.helpers import dispatch, write

ITEMS = 6
CONCURRENCY = 2


@pytest.fixture
def site() -> Iterator[Website]:
    with Website() as website:
        yield website


def specs_dir(folder: Path, count: int) -> Path:
    for n in range(count):
        write(folder / f"s{n}.md", spec(n))
    return folder


def test_http_items_share_one_pool_per_endpoint(tmp_path: Path) -> None:
    with FakeOpenAI([Reply(text="done", keep_alive=True)]) as server:
        configure(tmp_path / "home", server.base_url)
        result = dispatch("batch", str(specs_dir(tmp_path / "specs", ITEMS)), "-j", str(CONCURRENCY), "--json")
    assert result.code == 0, result.stderr
    assert len(server.peers) == ITEMS
    assert len(set(server.peers)) <= CONCURRENCY  # at most one connection per item in flight, reused


def researcher(site: Website) -> Any:
    """The web model's script, by what it is sent: search first, then answer once a tool result is in."""

    def choose(body: dict[str, Any]) -> Reply:
        if body["messages"][-1]["role"] == "tool":
            return Reply(text=f"Answer: 42, from {site.url('/article')}.", keep_alive=True)
        return Reply(
            tool_calls=[{"id": "s1", "name": "web_search", "arguments": {"query": "answer", "n": 2}}], keep_alive=True
        )

    return choose


def test_web_items_share_the_model_and_search_pools(tmp_path: Path, site: Website) -> None:
    with FakeOpenAI(choose=researcher(site)) as model:
        write(
            tmp_path / "home" / "config.toml",
            f"""
[models.researcher]
backend = "web"
base_url = "{model.base_url}"
search_provider = "searxng"
search_url = "{site.url("/api/searxng")}"
fetch_allowlist = ["127.0.0.1"]

[tiers.general]
models = ["researcher"]
task_types = ["general"]
""",
        )
        result = dispatch("batch", str(specs_dir(tmp_path / "specs", ITEMS)), "-j", str(CONCURRENCY), "--json")
    assert result.code == 0, result.stderr
    *envelopes, summary = lines(result)
    assert summary["ok"] == ITEMS and {e["backend"] for e in envelopes} == {"web"}
    assert len(model.peers) == 2 * ITEMS and len(site.searches) == ITEMS
    assert len(set(model.peers)) <= CONCURRENCY
    assert len({s["peer"] for s in site.searches}) <= CONCURRENCY


def test_the_server_never_sees_more_than_the_rate_limit(tmp_path: Path) -> None:
    """rpm = 300 is 5 a second with one second's worth (5) saved up: any second holds at most 10 grants; one more
    allows for a request whose trip to the server was slower than the next one's. Unlimited, 15 items at -j 15
    would all arrive within a fraction of a second. The full-size check (2,000 items at rpm = 1000, every minute
    window) is in benchmarks/batch_throughput.py."""
    with FakeOpenAI([Reply(text="ok")]) as server:
        configure(tmp_path / "home", server.base_url, rpm=300)
        rows = [{"spec": spec(n), "slug": f"rated-{n}"} for n in range(15)]
        work = write(tmp_path / "work.jsonl", "\n".join(json.dumps(r) for r in rows))
        result = dispatch("batch", str(work), "-j", "15", "--json")
        times = sorted(server.times)
    assert result.code == 0, result.stderr
    assert lines(result)[-1]["ok"] == 15 and len(times) == 15
    assert most_in_any_window(times, 1.0) <= 5 + 5 + 1


@pytest.mark.parametrize("keep_alive", [True, False])
def test_a_stream_left_at_done_keeps_its_connection_only_when_the_server_does(keep_alive: bool) -> None:
    """The reader stops at `[DONE]`: the body's end is read for it, and the connection is there for the next
    request, unless the server said it closes it."""

    async def twice() -> str:
        async with http_pool.Pool().current() as pool:
            for _ in range(2):
                async with pool.lease(server.base_url, tls=False) as client:
                    body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
                    async with client.stream("POST", f"{server.base_url}/chat/completions", json=body) as response:
                        async for line in response.aiter_lines():
                            if line == "data: [DONE]":
                                break
            return response.headers.get("connection", "")

    with FakeOpenAI([Reply(text="done", keep_alive=keep_alive)]) as server:
        connection = asyncio.run(twice())
    assert (connection == "close") is not keep_alive
    assert len(set(server.peers)) == (1 if keep_alive else 2)


def test_urls_of_one_origin_share_a_client_and_other_origins_get_their_own() -> None:
    async def leased() -> http_pool.Pool:
        pool = http_pool.Pool()
        async with pool.lease("http://127.0.0.1:9/v1/chat/completions", tls=False) as first:
            pass
        for url in ("http://127.0.0.1:9/v1/chat/completions", "http://127.0.0.1:9/other?x=1"):
            async with pool.lease(url, tls=False) as again:
                assert again is first
        async with pool.lease("http://127.0.0.1:10/v1/chat/completions", tls=False) as other:
            assert other is not first
        await pool.aclose()
        return pool

    assert asyncio.run(leased()).clients == {}
