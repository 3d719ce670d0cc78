"""What an HTTP error status from a model endpoint means for a run: one mapping for every backend that speaks HTTP.

408, 409, 429 and 5xx may pass, so they become TransientError for the engine's one retry layer, carrying the
server's Retry-After and marked `answered` (the server is up: `server_error`, not `unavailable`). 401 and 403
will not pass by retrying: BackendUnavailable, saying what to check. A 404, a body naming an unknown model, or a
context overflow is this model's problem, not the tier's: ModelRejected, and the engine moves on to the next
model. Any other status is the run's own failure, which the caller records as it ends the run, with
`error_reason()` telling a context overflow from any other server error.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from core.backends.base import ModelRejected, TransientError
from core.config import ModelConfig
from core.errors import BackendUnavailable

RETRYABLE = frozenset({408, 409, 429})
_UNKNOWN_MODEL = (
    "invalid model",
    "unknown model",
    "model not found",
    "model_not_found",
    "no such model",
    "does not exist",
    "not a valid model",
    "model is not available",
    "unsupported model",
)
_CONTEXT_OVERFLOW = (
    "context length",
    "context_length",
    "maximum context",
    "too many tokens",
    "exceeds the context",
    "exceeds the available context",
    "context window",
    "n_ctx",
    "exceed_context_size",
)


def status_error(
    model: ModelConfig, status: int, headers: httpx.Headers, message: str, body: str | None = None
) -> TransientError | BackendUnavailable | ModelRejected | None:
    """The error to raise for `status`, or None when the run simply failed (see `answered()` for its message).
    `body` is the whole error body when there is one (llama-server names an overflow in the error's type)."""
    if status in RETRYABLE or status >= 500:
        return TransientError(
            answered(model, status, message), retry_after(headers), rate_limited=status == 429, answered=True
        )
    if status in (401, 403):
        return BackendUnavailable(
            answered(model, status, f"authentication failed ({message})"),
            f"check the key in ${model.api_key_env}" if model.api_key_env else "set api_key_env",
        )
    text = message if body is None else body
    if error_reason(text) == "context_overflow":
        return ModelRejected(
            f"{answered(model, status, message)} (the spec is longer than this model's context)", "context_overflow"
        )
    if status == 404 or any(marker in text.lower() for marker in _UNKNOWN_MODEL):
        return ModelRejected(
            f"{answered(model, status, message)} (check base_url and that model '{model.provider_model}' exists there)",
            "model_error",
        )
    return None


def answered(model: ModelConfig, status: int, message: str) -> str:
    return f"{model.base_url} answered {status}: {message}"


def error_reason(text: str) -> str:
    """The run's reason for a server's error text: `context_overflow` when it says the prompt was too long."""
    lowered = text.lower()
    return "context_overflow" if any(marker in lowered for marker in _CONTEXT_OVERFLOW) else "server_error"


def retry_after(headers: httpx.Headers) -> float | None:
    """Seconds to wait from retry-after-ms or Retry-After (seconds or an HTTP date)."""
    if value := headers.get("retry-after-ms"):
        try:
            return max(0.0, float(value) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
        except (TypeError, ValueError):
            return None
