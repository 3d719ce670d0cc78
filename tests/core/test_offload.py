"""core/offload.py: file work moved off the event loop is never abandoned half-way by a cancel."""

from __future__ import annotations

import asyncio
import contextvars
import threading

import pytest

from core.offload import in_thread


async def test_the_result_comes_back_from_the_thread() -> None:
    assert await in_thread(lambda: threading.current_thread() is not threading.main_thread()) is True


async def test_a_cancel_waits_for_the_work_to_end_then_is_raised() -> None:
    started, release = threading.Event(), threading.Event()
    finished: list[bool] = []

    def work() -> int:
        started.set()
        release.wait(10)
        finished.append(True)
        return 1

    task = asyncio.create_task(in_thread(work))
    assert await asyncio.to_thread(started.wait, 10)
    task.cancel("cancelled")
    for _ in range(5):
        await asyncio.sleep(0)  # let the task take the cancel; it must keep waiting on the work
    assert not task.done() and finished == []
    task.cancel("a second one")
    release.set()
    with pytest.raises(asyncio.CancelledError) as raised:
        await task
    assert finished == [True]
    assert raised.value.args == ("cancelled",), "the first cancel's reason survives the wait (core/envelope.STOPS)"


async def test_the_work_failing_is_raised_as_itself() -> None:
    def work() -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        await in_thread(work)


async def test_the_work_sees_the_callers_context_variables() -> None:
    seen: contextvars.ContextVar[str] = contextvars.ContextVar("seen", default="unset")
    seen.set("the caller's")
    assert await in_thread(seen.get) == "the caller's"
