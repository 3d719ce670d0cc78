"""Rate limits shared by every dispatch of one process: per model, a token bucket that spaces requests
(rpm) and tokens (tpm) evenly, a sliding one-minute window that no more than `rpm` requests ever fall in, a
cap on requests in flight (max_concurrency), and one cooldown that a 429's Retry-After sets for every item
of the model, so the others stop instead of each earning its own 429.

The engine asks for a slot around every attempt (`async with limiter.slot(model, tokens)`) and reports
each 429 (`limiter.cooled(model, seconds)`); the limiter never retries anything itself.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from core.config import ModelConfig

DEFAULT_COOLDOWN = 5.0
"""Seconds a model cools down after a 429 that named no Retry-After."""


class TokenBucket:
    """`per_minute` units a minute, at most one second's worth saved up: any stretch of T seconds holds at most
    `capacity + rate * T` units, so a batch starts with a small burst, not a minute's worth at once."""

    def __init__(
        self, per_minute: float, capacity: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = per_minute / 60.0
        self.capacity = capacity if capacity is not None else max(1.0, self.rate)
        self.clock = clock
        self.level = self.capacity
        self.stamp = clock()

    def _refill(self) -> None:
        now = self.clock()
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait_for(self, amount: float) -> float:
        """Seconds until `amount` units are there (0 when they are now); takes nothing."""
        self._refill()
        missing = min(amount, self.capacity) - self.level
        return missing / self.rate if missing > 1e-9 else 0.0  # a rounding error's deficit is no deficit

    def take(self, amount: float) -> None:
        """Spend units; the level may go below zero when a request used more than was reserved."""
        self._refill()
        self.level -= amount


class MinuteWindow:
    """The times of the last `limit` sends: a send may go only when fewer than `limit` fell in the past 60 s,
    which is what a provider's per-minute limit counts (the bucket alone could exceed it by its capacity)."""

    SPAN = 60.5
    """A minute, plus half a second so that network jitter cannot squeeze one send too many into the
    provider's own minute."""

    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.clock = clock
        self.sent: deque[float] = deque()

    def wait_for(self) -> float:
        now = self.clock()
        while self.sent and self.sent[0] <= now - self.SPAN:
            self.sent.popleft()
        return 0.0 if len(self.sent) < self.limit else self.sent[0] + self.SPAN - now

    def take(self) -> None:
        self.sent.append(self.clock())


@dataclass
class ModelLimit:
    """One model's shared state: its buckets, its in-flight cap and its cooldown."""

    requests: TokenBucket | None = None
    minute: MinuteWindow | None = None
    tokens: TokenBucket | None = None
    in_flight: asyncio.Semaphore | None = None
    cool_until: float = 0.0
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)
    """Callers wait their turn for the buckets one at a time, first come first served."""


class Limiter:
    """Limits per model name, made on first use from the model's `rpm`, `tpm` and `max_concurrency`."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.limits: dict[str, ModelLimit] = {}
        self.waited_s = 0.0
        """Seconds callers spent waiting for a slot, for the progress line."""

    def limit_for(self, model: ModelConfig) -> ModelLimit:
        if model.name not in self.limits:
            self.limits[model.name] = ModelLimit(
                requests=TokenBucket(model.rpm, clock=self.clock) if model.rpm else None,
                minute=MinuteWindow(model.rpm, clock=self.clock) if model.rpm else None,
                tokens=TokenBucket(model.tpm, clock=self.clock) if model.tpm else None,
                in_flight=asyncio.Semaphore(model.max_concurrency) if model.max_concurrency else None,
            )
        return self.limits[model.name]

    @asynccontextmanager
    async def slot(self, model: ModelConfig, tokens: int = 0) -> AsyncIterator[Callable[[int], None]]:
        """Wait for the model's cooldown, a request and `tokens` from its buckets, and an in-flight place.
        Yields a function to report the tokens the request really used, which corrects the token bucket."""
        limit = self.limit_for(model)
        began = self.clock()
        if limit.in_flight is not None:
            await limit.in_flight.acquire()
        try:
            async with limit.turn:
                while True:
                    delay = max(
                        limit.cool_until - self.clock(),
                        limit.requests.wait_for(1) if limit.requests else 0.0,
                        limit.minute.wait_for() if limit.minute else 0.0,
                        limit.tokens.wait_for(tokens) if limit.tokens and tokens else 0.0,
                    )
                    if delay <= 0:
                        break
                    await asyncio.sleep(delay)
                if limit.requests and limit.minute:
                    limit.requests.take(1)
                    limit.minute.take()
                if limit.tokens and tokens:
                    limit.tokens.take(tokens)
            self.waited_s += self.clock() - began

            def used(actual: int) -> None:
                if limit.tokens and actual:
                    limit.tokens.take(actual - tokens)

            yield used
        finally:
            if limit.in_flight is not None:
                limit.in_flight.release()

    def cooled(self, model: ModelConfig, retry_after: float | None) -> None:
        """A 429: no item sends to this model until the Retry-After has passed."""
        limit = self.limit_for(model)
        limit.cool_until = max(
            limit.cool_until, self.clock() + (retry_after if retry_after is not None else DEFAULT_COOLDOWN)
        )
