"""web_search providers against a fake search API on 127.0.0.1: the request each sends, the results each parses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.errors import BackendUnavailable, ExitCode
from core.web.search import PROVIDERS, Searcher, SearchFailed
from tests.fakes.website import Website

KEY = "test-search-key-123456"


@pytest.fixture
def site() -> Iterator[Website]:
    with Website() as website:
        yield website


@pytest.mark.parametrize(
    "name, where_the_key_goes",
    [
        ("brave", ("headers", "x-subscription-token")),
        ("tavily", ("headers", "authorization")),
        ("serper", ("headers", "x-api-key")),
        ("serpapi", ("query", "api_key")),
        ("searxng", None),
    ],
)
async def test_each_provider_sends_its_shape_and_parses_results(
    site: Website, name: str, where_the_key_goes: tuple[str, str] | None
) -> None:
    env = {PROVIDERS[name].key_env: KEY} if PROVIDERS[name].key_env else {}
    searcher = Searcher.configured(name, site.url(f"/api/{name}"), "m", environ=env)
    hits = await searcher.search("local article", 2)
    assert [h.url for h in hits] == [site.url("/article"), site.url("/other")]
    assert hits[0].title == "Local Article" and hits[0].snippet == "the answer is in here"
    sent = site.searches[0]
    text = str(sent["query"]) + str(sent["body"])
    assert "local article" in text
    if where_the_key_goes:
        place, field = where_the_key_goes
        assert KEY in sent[place][field]


@pytest.mark.parametrize(
    "name, variable",
    [
        ("brave", "BRAVE_API_KEY"),
        ("tavily", "TAVILY_API_KEY"),
        ("serper", "SERPER_API_KEY"),
        ("serpapi", "SERPAPI_API_KEY"),
    ],
)
def test_a_missing_key_names_the_variable_to_set(name: str, variable: str) -> None:
    with pytest.raises(BackendUnavailable) as caught:
        Searcher.configured(name, None, "m", environ={})
    assert variable in caught.value.one_line() and caught.value.exit_code == ExitCode.BACKEND_UNAVAILABLE


def test_no_provider_says_how_to_choose_one() -> None:
    with pytest.raises(BackendUnavailable) as caught:
        Searcher.configured(None, None, "m", environ={})
    assert "search_provider" in caught.value.one_line() and "DISPATCH_SEARCH_PROVIDER" in caught.value.one_line()


async def test_rejected_key_is_fatal_and_never_echoes_the_key(site: Website) -> None:
    searcher = Searcher.configured("serpapi", site.url("/api/denied"), "m", environ={"SERPAPI_API_KEY": KEY})
    with pytest.raises(SearchFailed) as caught:
        await searcher.search("q", 3)
    assert caught.value.fatal and "401" in str(caught.value) and KEY not in str(caught.value)


async def test_unreachable_search_is_a_tool_error_not_fatal() -> None:
    searcher = Searcher.configured("searxng", "http://127.0.0.1:9", "m", environ={})
    with pytest.raises(SearchFailed) as caught:
        await searcher.search("q", 3)
    assert not caught.value.fatal and "ConnectError" in str(caught.value)
