"""A web model's settings: defaults, environment fallbacks, and one clear message per mistake."""

from __future__ import annotations

from typing import Any

import pytest

from core.web.settings import DEFAULT_MAX_STEPS, parse


def test_defaults_and_environment_fallbacks() -> None:
    settings = parse(
        {}, environ={"DISPATCH_SEARCH_PROVIDER": "searxng", "DISPATCH_SEARCH_URL": "http://127.0.0.1:8888"}
    )
    assert settings.search_provider == "searxng" and settings.search_url == "http://127.0.0.1:8888"
    assert settings.max_steps == DEFAULT_MAX_STEPS and settings.fetch_allowlist == ()
    assert (
        parse({"search_provider": "brave"}, environ={"DISPATCH_SEARCH_PROVIDER": "tavily"}).search_provider == "brave"
    )


def test_values_are_kept() -> None:
    settings = parse(
        {"max_steps": 3, "max_fetches": 0, "fetch_timeout": 2, "fetch_allowlist": ["LocalHost"], "unverified": "drop"},
        environ={},
    )
    assert (settings.max_steps, settings.max_fetches, settings.fetch_timeout) == (3, 0, 2.0)
    assert settings.fetch_allowlist == ("localhost",) and settings.unverified == "drop"


@pytest.mark.parametrize(
    "options, message",
    [
        ({"search_provider": "bing"}, "search_provider 'bing' is not one of brave, tavily, serper, serpapi, searxng"),
        ({"search_provider": "searxng"}, "needs search_url"),
        ({"search_url": "ftp://x"}, "search_url must be an http(s) URL"),
        ({"max_steps": 0}, "max_steps must be a whole number from 1 to 100"),
        ({"max_steps": True}, "max_steps must be a whole number"),
        ({"max_fetches": "3"}, "max_fetches must be a whole number"),
        ({"fetch_timeout": 0}, "fetch_timeout must be a number of seconds"),
        ({"search_results": 11}, "search_results must be a whole number from 1 to 10"),
        ({"fetch_allowlist": "127.0.0.1"}, "fetch_allowlist must be a list"),
        ({"unverified": "hide"}, "unverified must be one of mark, drop"),
        ({"max_fetchez": 3}, "unknown key 'max_fetchez'"),
    ],
)
def test_each_mistake_has_its_own_message(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse(options, environ={})
    assert message in str(caught.value)
