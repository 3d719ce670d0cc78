"""The one retry policy (core/retry.py): how long the engine waits before trying the same model again."""

from __future__ import annotations

import pytest

from core.retry import RetryPolicy


def test_a_servers_retry_after_is_waited_exactly_up_to_the_cap() -> None:
    policy = RetryPolicy(max_retry_after=60.0)
    assert policy.delay(1, 2.5) == 2.5
    assert policy.delay(3, 0.0) == 0.0
    assert policy.delay(1, 3600.0) == 60.0, "a server asking for an hour is not waited on for an hour"


@pytest.mark.parametrize("attempt", [1, 2, 3, 4])
def test_backoff_doubles_per_attempt_with_at_most_a_quarter_of_jitter_below(attempt: int) -> None:
    policy = RetryPolicy(base=0.5, cap=100.0)
    full = 0.5 * 2 ** (attempt - 1)
    delays = {policy.delay(attempt, None) for _ in range(200)}
    assert all(0.75 * full <= d <= full for d in delays)
    assert len(delays) > 1, "jitter spreads parallel retries apart"


def test_backoff_never_passes_the_cap() -> None:
    policy = RetryPolicy(base=0.5, cap=2.0)
    assert max(policy.delay(20, None) for _ in range(100)) <= 2.0
