"""web_search: one small adapter per search API, chosen by `search_provider`, each key from its env var.

The endpoints are the user's configuration, not the model's choice, so they are not address-checked
(a SearXNG instance on localhost is normal); `search_url` overrides any provider's endpoint. Proxies
from the environment are ignored, as everywhere in this tool.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from core.backends import http_pool
from core.errors import BackendUnavailable


@dataclass(frozen=True)
class Hit:
    title: str
    url: str
    snippet: str


class SearchFailed(Exception):
    """A search that did not work; `fatal` when retrying cannot help (bad key), so the run should stop."""

    def __init__(self, message: str, fatal: bool = False) -> None:
        super().__init__(message)
        self.fatal = fatal


@dataclass(frozen=True)
class Provider:
    name: str
    endpoint: str
    key_env: str | None
    request: Callable[[str, int, str | None], dict[str, Any]]
    """(query, n, key) -> keyword arguments for httpx's request(): method, params or json, headers."""
    hits: Callable[[Any], list[Hit]]


def _pick(items: Any, title: str, url: str, snippet: str) -> list[Hit]:
    if not isinstance(items, list):
        return []
    return [
        Hit(str(i.get(title) or ""), str(i[url]), str(i.get(snippet) or ""))
        for i in items
        if isinstance(i, dict) and isinstance(i.get(url), str)
    ]


def _get(data: Any, *path: str) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


PROVIDERS: dict[str, Provider] = {
    p.name: p
    for p in (
        Provider(
            "brave",
            "https://api.search.brave.com/res/v1/web/search",
            "BRAVE_API_KEY",
            lambda q, n, key: {
                "method": "GET",
                "params": {"q": q, "count": n},
                "headers": {"X-Subscription-Token": key or "", "Accept": "application/json"},
            },
            lambda data: _pick(_get(data, "web", "results"), "title", "url", "description"),
        ),
        Provider(
            "tavily",
            "https://api.tavily.com/search",
            "TAVILY_API_KEY",
            lambda q, n, key: {
                "method": "POST",
                "json": {"query": q, "max_results": n},
                "headers": {"Authorization": f"Bearer {key}"},
            },
            lambda data: _pick(_get(data, "results"), "title", "url", "content"),
        ),
        Provider(
            "serper",
            "https://google.serper.dev/search",
            "SERPER_API_KEY",
            lambda q, n, key: {"method": "POST", "json": {"q": q, "num": n}, "headers": {"X-API-KEY": key or ""}},
            lambda data: _pick(_get(data, "organic"), "title", "link", "snippet"),
        ),
        Provider(
            "serpapi",
            "https://serpapi.com/search.json",
            "SERPAPI_API_KEY",
            lambda q, n, key: {"method": "GET", "params": {"engine": "google", "q": q, "num": n, "api_key": key}},
            lambda data: _pick(_get(data, "organic_results"), "title", "link", "snippet"),
        ),
        Provider(
            "searxng",
            "",
            None,
            lambda q, n, key: {"method": "GET", "params": {"q": q, "format": "json"}},
            lambda data: _pick(_get(data, "results"), "title", "url", "content"),
        ),
    )
}


class Searcher:
    """One provider, its endpoint and key, ready to answer web_search calls."""

    def __init__(self, provider: Provider, endpoint: str, key: str | None, timeout: float = 20.0) -> None:
        self.provider = provider
        self.endpoint = endpoint
        self._key = key
        self.timeout = timeout

    @classmethod
    def configured(
        cls, name: str | None, search_url: str | None, model: str, environ: Mapping[str, str] | None = None
    ) -> Searcher:
        """The provider a model's settings name; raises BackendUnavailable naming what to set."""
        env = os.environ if environ is None else environ
        if name is None:
            raise BackendUnavailable(
                f"web model '{model}' has no search provider",
                f'set search_provider = "brave" (or {", ".join(list(PROVIDERS)[1:])}) under '
                f"[models.{model}], or DISPATCH_SEARCH_PROVIDER",
            )
        provider = PROVIDERS[name]
        key = env.get(provider.key_env) if provider.key_env else None
        if provider.key_env and not key:
            raise BackendUnavailable(
                f"the {name} search provider needs an API key", f"set {provider.key_env} in the environment"
            )
        endpoint = search_url or provider.endpoint
        if name == "searxng" and not endpoint.rstrip("/").endswith("/search"):
            endpoint = endpoint.rstrip("/") + "/search"
        return cls(provider, endpoint, key)

    async def search(self, query: str, n: int) -> list[Hit]:
        where = f"{self.provider.name} search"
        try:
            async with http_pool.client_for(self.endpoint, self.endpoint.startswith("https://")) as client:
                response = await client.request(
                    url=self.endpoint, timeout=self.timeout, **self.provider.request(query, n, self._key)
                )
        except httpx.HTTPError as exc:
            raise SearchFailed(f"{where} failed: {type(exc).__name__}") from None
        if response.status_code in (401, 403):
            hint = f"check {self.provider.key_env}" if self.provider.key_env else "check search_url"
            raise SearchFailed(f"{where} answered {response.status_code}: authentication failed ({hint})", fatal=True)
        if response.status_code >= 400:
            raise SearchFailed(f"{where} answered {response.status_code}")
        try:
            data = response.json()
        except ValueError:
            raise SearchFailed(f"{where} answered with something that is not JSON") from None
        return self.provider.hits(data)[:n]
