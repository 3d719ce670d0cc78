"""The single retry policy for every backend: exponential backoff with jitter, honouring Retry-After."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    attempts_per_model: int = 3
    base: float = 0.5
    cap: float = 8.0
    max_retry_after: float = 60.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number `attempt` (1-based) of the same model."""
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        backoff = min(self.base * 2.0 ** (attempt - 1), self.cap)
        return backoff * (0.75 + random.random() * 0.25)
