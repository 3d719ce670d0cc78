"""The shared rate limiter on a fake clock: the minute window, the bucket's spacing, the 429 cooldown and the
in-flight cap, each checked on the times the limiter let requests go."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from core.batch import limits
from core.batch.limits import Limiter, MinuteWindow, TokenBucket
from core.config import ModelConfig


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClock]:
    """asyncio.sleep in the limiter advances the fake clock instead of waiting."""
    fake = FakeClock()
    real_sleep = asyncio.sleep

    async def sleep(seconds: float) -> None:
        fake.now += seconds
        await real_sleep(0)

    monkeypatch.setattr(limits.asyncio, "sleep", sleep)
    yield fake


async def send_times(
    limiter: Limiter, model: ModelConfig, count: int, clock: FakeClock, tokens: int = 0
) -> list[float]:
    times: list[float] = []

    async def one() -> None:
        async with limiter.slot(model, tokens):
            times.append(clock())

    await asyncio.gather(*(one() for _ in range(count)))
    return sorted(times)


def most_in_any_window(times: list[float], span: float) -> int:
    best, start = 0, 0
    for end, moment in enumerate(times):
        while times[start] <= moment - span:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_no_minute_holds_more_than_rpm(clock: FakeClock) -> None:
    model = ModelConfig(name="m", rpm=1000)
    times = await send_times(Limiter(clock), model, 2000, clock)
    assert len(times) == 2000
    assert most_in_any_window(times, 60.0) <= 1000
    assert times[-1] - times[0] >= 60.0  # the second thousand had to wait for the first minute to pass


async def test_the_bucket_spaces_requests_evenly(clock: FakeClock) -> None:
    model = ModelConfig(name="m", rpm=600)  # 10 a second, at most one second's worth saved up
    times = await send_times(Limiter(clock), model, 100, clock)
    assert most_in_any_window(times, 1.0) <= 10 + 10
    assert most_in_any_window(times, 5.0) <= 10 + 50


async def test_a_429_cools_the_model_down_for_every_caller(clock: FakeClock) -> None:
    limiter = Limiter(clock)
    model = ModelConfig(name="m")
    other = ModelConfig(name="other")
    limiter.cooled(model, 7.5)
    cooled_at = clock()
    times = await send_times(limiter, model, 5, clock)
    assert min(times) >= cooled_at + 7.5
    clock.now = cooled_at
    limiter.cooled(other, None)
    assert min(await send_times(limiter, other, 1, clock)) >= cooled_at + limits.DEFAULT_COOLDOWN


async def test_max_concurrency_caps_requests_in_flight() -> None:
    limiter = Limiter()
    model = ModelConfig(name="m", max_concurrency=3)
    inside = peak = 0
    release = asyncio.Event()

    async def one() -> None:
        nonlocal inside, peak
        async with limiter.slot(model):
            inside += 1
            peak = max(peak, inside)
            await release.wait()
            inside -= 1

    tasks = [asyncio.create_task(one()) for _ in range(8)]
    while inside < 3:
        await asyncio.sleep(0)
    for _ in range(20):
        await asyncio.sleep(0)
    assert inside == 3
    release.set()
    await asyncio.gather(*tasks)
    assert peak == 3


async def test_tokens_per_minute_hold_back_large_requests(clock: FakeClock) -> None:
    model = ModelConfig(name="m", tpm=6000)  # 100 a second, one second saved up
    times = await send_times(Limiter(clock), model, 10, clock, tokens=100)
    assert times[-1] - times[0] >= 8.0


def test_the_window_and_bucket_alone() -> None:
    clock = FakeClock()
    window = MinuteWindow(2, clock)
    window.take()
    window.take()
    assert window.wait_for() == pytest.approx(MinuteWindow.SPAN)
    clock.now += MinuteWindow.SPAN
    assert window.wait_for() == 0.0
    bucket = TokenBucket(60, clock=clock)
    bucket.take(1)
    assert bucket.wait_for(1) == pytest.approx(1.0)
