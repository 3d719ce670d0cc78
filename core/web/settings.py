"""The web backend's settings: what `[models.NAME]` may say beyond the common keys, checked with clear errors.

Read at config load (so a typo is reported with its file and line) and again by the backend, from the
model's `options` table, with DISPATCH_SEARCH_PROVIDER / DISPATCH_SEARCH_URL as fallbacks for the
environment-only setup of the reference designs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.web.addresses import Allowlist

PROVIDERS = ("brave", "tavily", "serper", "serpapi", "searxng")
UNVERIFIED = ("mark", "drop")

DEFAULT_MAX_STEPS = 8
DEFAULT_MAX_FETCHES = 10
DEFAULT_TOKEN_BUDGET = 200_000


@dataclass(frozen=True)
class WebSettings:
    search_provider: str | None = None
    search_url: str | None = None
    """Overrides the provider's endpoint; required for searxng (the instance's base URL)."""
    fetch_allowlist: tuple[str, ...] = ()
    """Hosts, IPs or CIDRs a fetch may reach even though they are not public (local testing)."""
    max_steps: int = DEFAULT_MAX_STEPS
    max_fetches: int = DEFAULT_MAX_FETCHES
    token_budget: int = DEFAULT_TOKEN_BUDGET
    fetch_timeout: float = 20.0
    fetch_max_bytes: int = 2_000_000
    page_chars: int = 12_000
    """Characters of a page's text handed to the model."""
    search_results: int = 5
    unverified: str = "mark"
    """What happens to a URL in the answer that was never fetched: marked [unverified], or dropped."""


_INTS = {
    "max_steps": (1, 100),
    "max_fetches": (0, 200),
    "token_budget": (1_000, 100_000_000),
    "fetch_max_bytes": (1_000, 100_000_000),
    "page_chars": (500, 1_000_000),
    "search_results": (1, 10),
}
_NUMBERS = {"fetch_timeout": (0.1, 600.0)}
KEYS = {"search_provider", "search_url", "fetch_allowlist", "unverified", *_INTS, *_NUMBERS}


def parse(options: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> WebSettings:
    """Settings from a model's options; raises ValueError with a message naming the key and what is allowed."""
    env = os.environ if environ is None else environ
    if unknown := sorted(set(options) - KEYS):
        raise ValueError(f"unknown key '{unknown[0]}' for a web model (known: {', '.join(sorted(KEYS))})")
    values: dict[str, Any] = {}
    provider = options.get("search_provider", env.get("DISPATCH_SEARCH_PROVIDER") or None)
    if provider is not None and provider not in PROVIDERS:
        raise ValueError(f"search_provider '{provider}' is not one of {', '.join(PROVIDERS)}")
    values["search_provider"] = provider
    url = options.get("search_url", env.get("DISPATCH_SEARCH_URL") or None)
    if url is not None and (not isinstance(url, str) or not url.startswith(("http://", "https://"))):
        raise ValueError(f"search_url must be an http(s) URL, not {url!r}")
    if provider == "searxng" and not url:
        raise ValueError("search_provider 'searxng' needs search_url, the instance's base URL")
    values["search_url"] = url
    allow = options.get("fetch_allowlist", [])
    if not isinstance(allow, list) or not all(isinstance(a, str) and a.strip() for a in allow):
        raise ValueError("fetch_allowlist must be a list of host names, IP addresses or CIDR ranges")
    values["fetch_allowlist"] = Allowlist.parse(allow).entries
    unverified = options.get("unverified", "mark")
    if unverified not in UNVERIFIED:
        raise ValueError(f"unverified must be one of {', '.join(UNVERIFIED)}")
    values["unverified"] = unverified
    for key, (low, high) in _INTS.items():
        if key in options:
            value = options[key]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{key} must be a whole number from {low} to {high}")
            values[key] = value
    for key, (least, most) in _NUMBERS.items():
        if key in options:
            value = options[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not least <= value <= most:
                raise ValueError(f"{key} must be a number of seconds from {least:g} to {most:g}")
            values[key] = float(value)
    return WebSettings(**values)
