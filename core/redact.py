"""Secret redaction applied to everything that reaches a run file, the index, a log or the screen.

It masks the exact values of the keys this process holds (any env var a model's api_key_env names,
plus the well-known key variables) and anything shaped like a provider key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

_KEY_SHAPES = re.compile(
    r"(sk-ant-[A-Za-z0-9_\-]{8,}|sk-(?:proj-)?[A-Za-z0-9_\-]{16,}|AIza[0-9A-Za-z_\-]{20,}|"
    r"gh[pousr]_[A-Za-z0-9]{20,}|xox[abp]-[A-Za-z0-9-]{10,}|Bearer\s+[A-Za-z0-9._\-]{16,})"
)
_KNOWN_KEY_VARS = ("DISPATCH_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY",
                   "OPENROUTER_API_KEY", "BRAVE_API_KEY", "TAVILY_API_KEY", "SERPER_API_KEY", "SERPAPI_API_KEY")
MASK = "***"


class Redactor:
    """Built from the secret values a caller can see (the engine's keys, an agent child's env), then applied to every
    string before it is kept or shown."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        values = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)
        self._exact = re.compile("|".join(map(re.escape, values))) if values else None

    @classmethod
    def from_environment(cls, extra_vars: Iterable[str] = (), extra_values: Iterable[str] = ()) -> Redactor:
        """The keys this process holds, plus `extra_values` (secrets handed to a child, say)."""
        names = set(_KNOWN_KEY_VARS) | {n for n in extra_vars if n}
        names |= {n for n in os.environ if n.endswith(("_API_KEY", "_TOKEN", "_SECRET"))}
        return cls([*(os.environ.get(n, "") for n in names), *extra_values])

    def text(self, value: str) -> str:
        if self._exact is not None:
            value = self._exact.sub(MASK, value)
        return _KEY_SHAPES.sub(lambda m: m.group(0)[:4] + MASK, value)

    def data(self, value: Any) -> Any:
        """Redact every string inside a JSON-like structure."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.data(v) for v in value]
        return value


def mask(secret: str | None) -> str:
    """How a secret is shown to a person: enough to recognise, never enough to use."""
    if not secret:
        return "(not set)"
    return secret[:3] + MASK if len(secret) > 12 else MASK
