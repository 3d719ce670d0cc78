"""Secret redaction: the one path every sink (stdout, stderr, events.jsonl, run records, the index, the console)
takes before anything is kept or shown.

It masks the exact values of the keys this process holds (any variable a model's api_key_env names, the well-known
key variables, anything named *_API_KEY / *_TOKEN / *_SECRET) and anything shaped like a key of the common
families that secret scanners know (cloud, VCS tokens, Slack, Stripe, private key blocks), plus patterns that
config.toml adds under `[redact] patterns`.

Text that arrives in pieces (a model streaming its answer) goes through `StreamRedactor`: masking each piece on its
own lets a key split across pieces through, so it holds back the tail that could still be the start of a key (a
partial match, found with the `regex` module's partial matching) until the next piece settles it. Records that
keep a backend's raw wire output also get `mask_fragments`, which masks the pieces of a key found in the answer.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

import regex

if TYPE_CHECKING:
    from core.config import Config


class KeyShape(NamedTuple):
    pattern: str
    needles: tuple[str, ...]
    """Lower-case strings one of which every match contains (lower-cased): text with none of them is let through
    without running the pattern (see `Redactor._may_hold`)."""


KEY_FAMILIES: dict[str, KeyShape] = {
    "anthropic": KeyShape(r"sk-ant-[A-Za-z0-9_\-]{8,}", ("sk-ant-",)),
    "openai": KeyShape(r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{16,}", ("sk-",)),
    "google": KeyShape(r"AIza[0-9A-Za-z_\-]{20,}", ("aiza",)),
    "aws-access-key": KeyShape(
        r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b",
        ("akia", "asia", "abia", "acca", "agpa", "aida", "aroa", "anpa", "anva", "aipa"),
    ),
    "aws-secret-key": KeyShape(
        r"(?i:aws_?secret_?(?:access_?)?key)[\"']?\s*[:=]\s*[\"']?[A-Za-z0-9/+=]{40}", ("awssecret", "aws_secret")
    ),
    "github": KeyShape(
        r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{22,})",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    ),
    "gitlab": KeyShape(r"\bglpat-[A-Za-z0-9_\-]{20,}", ("glpat-",)),
    "slack": KeyShape(
        r"\bxox[abposr]-[A-Za-z0-9-]{10,}|https://hooks\.slack\.com/services/[A-Za-z0-9/_\-]{16,}",
        ("xox", "https://hooks.slack.com/services/"),
    ),
    "stripe": KeyShape(r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}", ("k_live_", "k_test_")),
    "huggingface": KeyShape(r"\bhf_[A-Za-z0-9]{30,}", ("hf_",)),
    "npm": KeyShape(r"\bnpm_[A-Za-z0-9]{36}", ("npm_",)),
    "jwt": KeyShape(r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}", ("eyj",)),
    "private-key": KeyShape(
        r"-----BEGIN[A-Z0-9 ]{0,32} PRIVATE KEY(?: BLOCK)?-----[\s\S]{0,16384}?-----END[A-Z0-9 ]{0,32} PRIVATE KEY(?: BLOCK)?-----",
        ("-----begin",),
    ),
    "bearer": KeyShape(r"\bBearer\s+[A-Za-z0-9._\-~+/=]{16,}", ("bearer",)),
}
"""Key shapes by family; a match keeps its first four characters, enough to recognise the kind of key."""
KNOWN_KEY_VARS = (
    "DISPATCH_API_KEY",
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "OPENROUTER_API_KEY",
    "BRAVE_API_KEY",
    "TAVILY_API_KEY",
    "SERPER_API_KEY",
    "SERPAPI_API_KEY",
    "CODEX_API_KEY",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
)
SECRET_SUFFIXES = ("_API_KEY", "_KEY", "_TOKEN", "_SECRET", "_PASSWORD")
"""An environment variable with one of these endings holds a secret, whatever its name."""
MASK = "***"
MAX_HOLD = 20_000
"""Characters a stream may hold back while they could still be a key (a private key block is the longest)."""
_NEEDLES = tuple(needle for shape in KEY_FAMILIES.values() for needle in shape.needles)
SHORT = 48
"""Text shorter than this goes straight to the pattern, which is then cheaper than the needle tests."""
MIN_SECRET = 6
"""Shorter exact values are not masked: they would mask ordinary words."""
MEMO_CHARS = 1_000_000
"""Characters of strings a redactor remembers the masked form of (see `Redactor.text`); past this it starts over."""
MEMO_LONGEST = 20_000
"""Longer strings are masked afresh each time: a long answer or file is seldom seen twice."""


def compile_pattern(source: str) -> regex.Pattern[str]:
    """One pattern as the redactor compiles it; raises regex.error for a bad one (config validation calls this)."""
    return regex.compile(source)


class Redactor:
    """Built from the secret values a caller can see (the engine's keys, an agent child's env) and any extra
    patterns, then applied to every string before it is kept or shown."""

    def __init__(self, secrets: Iterable[str] = (), patterns: Iterable[str] = ()) -> None:
        values = {form for s in secrets if s for form in _forms(s)}
        self.secrets = tuple(sorted({s for s in values if len(s) >= MIN_SECRET}, key=len, reverse=True))
        self.patterns = tuple(patterns)
        shapes = [*(shape.pattern for shape in KEY_FAMILIES.values()), *self.patterns]
        exact = [regex.escape(value) for value in self.secrets]
        # Exact values first: a held key is masked whole, even where it also has a known shape.
        self._pattern = regex.compile("|".join(f"(?:{p})" for p in [*exact, *shapes]))
        self._exact = len(exact)
        self._memo: dict[str, str] = {}
        """Each short string's masked form. One run's records are redacted whole several times (the record when
        it starts and when it ends, its event log's lines) and a batch's records share most of their keys and
        values, so the same strings come back hundreds of times; the pattern is fixed, so the answer is too."""
        self._memo_chars = 0

    @classmethod
    def from_environment(
        cls, extra_vars: Iterable[str] = (), extra_values: Iterable[str] = (), patterns: Iterable[str] = ()
    ) -> Redactor:
        """The keys this process holds, plus `extra_values` (secrets handed to a child, say)."""
        names = set(KNOWN_KEY_VARS) | {n for n in extra_vars if n}
        names |= {n for n in os.environ if n.upper().endswith(SECRET_SUFFIXES)}
        return cls([*(os.environ.get(n, "") for n in names), *extra_values], patterns)

    @classmethod
    def for_config(cls, config: Config) -> Redactor:
        """What every sink of a run is redacted with: the keys this process holds, those the config's models name
        (api_key_env), and the config's own patterns."""
        return cls.from_environment(
            (m.api_key_env for m in config.models.values() if m.api_key_env), patterns=config.redact.patterns
        )

    def with_values(self, values: Iterable[str]) -> Redactor:
        """This redactor plus more exact values (the secrets in an agent child's environment)."""
        return Redactor([*self.secrets, *values], self.patterns)

    def _masked(self, match: regex.Match[str]) -> str:
        text = match.group(0)
        return MASK if self._is_exact(text) else text[:4] + MASK

    def _is_exact(self, text: str) -> bool:
        return text in self.secrets

    def _may_hold(self, value: str) -> bool:
        """Whether `value` could hold a secret at all. The one pattern costs about 0.1 us a character on any
        text, and every record a run writes goes through it, mostly with nothing to mask; plain substring tests
        (a held value, each key shape's needles) rule most text out at a few percent of that. Config patterns
        have no needles, so with any of them every text is scanned."""
        if self.patterns or len(value) < SHORT or any(map(value.__contains__, self.secrets)):
            return True
        return any(map(value.lower().__contains__, _NEEDLES))

    def text(self, value: str) -> str:
        if (known := self._memo.get(value)) is not None:
            return known
        masked = self._pattern.sub(self._masked, value) if self._may_hold(value) else value
        if len(value) <= MEMO_LONGEST:
            if self._memo_chars > MEMO_CHARS:
                # Threads share a redactor: each dict operation is atomic, and the count need only be roughly right.
                self._memo, self._memo_chars = {}, 0
            self._memo[value] = masked
            self._memo_chars += len(value)
        return masked

    def found(self, value: str) -> set[str]:
        """The secrets (exact values and key-shaped strings) that `value` holds, unmasked."""
        return {m.group(0) for m in self._pattern.finditer(value)} if self._may_hold(value) else set()

    def data(self, value: Any) -> Any:
        """Redact every string inside a JSON-like structure (keys included)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(k) if isinstance(k, str) else k: self.data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.data(v) for v in value]
        return value

    def stream(self) -> StreamRedactor:
        return StreamRedactor(self)


class StreamRedactor:
    """Masks text that arrives in pieces: `feed` returns what is safe to show now, `flush` the rest at the end.

    What is held back is only the tail that could still grow into a key (a partial match at the end); plain
    prose passes through at once, so streaming stays live.
    """

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor
        self._held = ""
        self._before = ""
        """The last characters already let go: a key shape's word boundary looks at them."""

    def feed(self, text: str) -> str:
        pattern = self.redactor._pattern
        start = len(self._before)
        buffer = self._before + self._held + text
        cut = len(buffer)
        for match in pattern.finditer(buffer, pos=start, partial=True):
            if match.end() == len(buffer) and match.end() > match.start():
                cut = match.start()
                break
        if len(buffer) - cut > MAX_HOLD:
            cut = len(buffer)  # longer than any key: mask what matches and let it go
        shown, last = [], start
        for match in pattern.finditer(buffer, pos=start):
            if match.end() > cut:
                cut = min(cut, match.start())
                break
            shown += [buffer[last : match.start()], self.redactor._masked(match)]
            last = match.end()
        shown.append(buffer[last:cut])
        self._held = buffer[cut:]
        self._before = buffer[max(start, cut - _CONTEXT) : cut] if cut > start else self._before
        return "".join(shown)

    def flush(self) -> str:
        held, self._held = self._held, ""
        return self.feed(held) + self._release()

    def _release(self) -> str:
        """At the end of the stream nothing can grow any more: the held tail goes out, masked in context."""
        held, self._held = self._held, ""
        if not held:
            return ""
        start = len(self._before)
        buffer = self._before + held
        shown, last = [], start
        for match in self.redactor._pattern.finditer(buffer, pos=start):
            shown += [buffer[last : match.start()], self.redactor._masked(match)]
            last = match.end()
        shown.append(buffer[last:])
        return "".join(shown)


_CONTEXT = 64
_JSON_STRING = regex.compile(r'"(?:[^"\\]|\\.)*"(\s*:)?')
"""A JSON string literal, and the colon after it when it is an object's key (keys are kept)."""


def _forms(secret: str) -> set[str]:
    """A secret as it may be written out: itself, and when it holds a control character, that character escaped as
    a repr or an error message writes it ('...\\n...') and each piece between such characters, so that a key pasted
    across two lines is masked whole and by halves."""
    if not _CONTROL.search(secret):
        return {secret}
    escaped = secret.encode("unicode_escape").decode("ascii")
    return {secret, secret.strip(), escaped, repr(secret)[1:-1], *_CONTROL.split(secret)}


_CONTROL = regex.compile(r"[\x00-\x1f\x7f]+")


def mask_fragments(value: Any, secrets: set[str]) -> Any:
    """Mask, inside raw wire output (SSE data, an agent's JSON lines), every JSON string value that is a piece of
    one of `secrets`: a key streamed in five-character pieces is whole in the answer, where the redactor finds
    it, but only its pieces are in the raw stream, where nothing would."""
    if not secrets:
        return value
    if isinstance(value, dict):
        return {k: mask_fragments(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_fragments(v, secrets) for v in value]
    if not isinstance(value, str):
        return value

    def piece(match: regex.Match[str]) -> str:
        if match.group(1):
            return match.group(0)
        try:
            text = json.loads(match.group(0))
        except ValueError:
            return match.group(0)
        return json.dumps(MASK) if isinstance(text, str) and _overlaps(text, secrets) else match.group(0)

    value = value if not _is_piece(value, secrets) else MASK
    return _JSON_STRING.sub(piece, value)


def _overlaps(text: str, secrets: set[str]) -> bool:
    """Whether text is part of a secret, or starts or ends with three or more of its characters."""
    if not text:
        return False
    for secret in secrets:
        if text in secret:
            return True
        for size in range(min(len(text), len(secret)) - 1, 2, -1):
            if text.endswith(secret[:size]) or text.startswith(secret[-size:]):
                return True
    return False


def _is_piece(text: str, secrets: set[str]) -> bool:
    return any(text in secret for secret in secrets)


def mask(secret: str | None) -> str:
    """How a secret is shown to a person: enough to recognise, never enough to use."""
    if not secret:
        return "(not set)"
    return secret[:3] + MASK if len(secret) > 12 else MASK
