"""The one mapping from a model endpoint's HTTP status to what the run does (retry, stop with a fix, or fail)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from core.backends.base import ModelRejected, TransientError
from core.backends.http_status import error_reason, retry_after, status_error
from core.config import ModelConfig
from core.errors import BackendUnavailable

MODEL = ModelConfig(name="m", base_url="http://127.0.0.1:9/v1", api_key_env="M_KEY", model="m-1")


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 599])
def test_statuses_that_may_pass_are_transient_with_the_servers_wait(status: int) -> None:
    error = status_error(MODEL, status, httpx.Headers({"Retry-After": "7"}), "busy")
    assert isinstance(error, TransientError)
    assert error.retry_after == 7 and error.rate_limited is (status == 429)
    assert str(error) == f"http://127.0.0.1:9/v1 answered {status}: busy"
    # The server answered, so it is up: a server_error (exit 1), not unavailable (exit 7).
    assert error.reason == ("rate_limited" if status == 429 else "server_error")


@pytest.mark.parametrize("status", [401, 403])
def test_statuses_retrying_cannot_fix_say_what_to_check(status: int) -> None:
    error = status_error(MODEL, status, httpx.Headers(), "no")
    assert isinstance(error, BackendUnavailable) and "$M_KEY" in (error.hint or "")


@pytest.mark.parametrize(
    "status, body, reason",
    [
        (404, "no", "model_error"),
        (400, '{"error": {"message": "The model `m-1` does not exist"}}', "model_error"),
        (400, '{"error": {"type": "exceed_context_size_error"}}', "context_overflow"),
    ],
)
def test_what_only_this_model_cannot_take_moves_on_to_the_next(status: int, body: str, reason: str) -> None:
    error = status_error(MODEL, status, httpx.Headers(), "no", body)
    assert isinstance(error, ModelRejected) and error.reason == reason
    assert reason == "context_overflow" or "model 'm-1'" in str(error)


@pytest.mark.parametrize("status", [400, 413, 422])
def test_other_statuses_are_the_runs_own_failure(status: int) -> None:
    assert status_error(MODEL, status, httpx.Headers(), "bad request") is None


@pytest.mark.parametrize(
    "text, reason",
    [
        ('{"error": {"type": "exceed_context_size_error"}}', "context_overflow"),
        ("This model's maximum context length is 4096 tokens", "context_overflow"),
        ("'messages' must be an array", "server_error"),
    ],
)
def test_error_reason_tells_an_overflow_from_other_errors(text: str, reason: str) -> None:
    assert error_reason(text) == reason


def test_retry_after_reads_milliseconds_seconds_and_dates() -> None:
    assert retry_after(httpx.Headers({"retry-after-ms": "1500", "Retry-After": "9"})) == 1.5
    assert retry_after(httpx.Headers({"Retry-After": "9"})) == 9
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    assert 50 < (retry_after(httpx.Headers({"Retry-After": soon})) or 0) <= 60
    assert retry_after(httpx.Headers({"Retry-After": "whenever"})) is None
    assert retry_after(httpx.Headers()) is None
