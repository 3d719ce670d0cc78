"""The run view under a long, fast stream: 2,000 deltas (~120 kB of Markdown) from the fake server on
127.0.0.1, time from dispatch to the frame that draws the finished run (benchmarks/_frames.py), against the
engine alone (no UI), in one run. The server runs in a child process: in a thread here it took this
interpreter's lock from both sides, and moved the figures with the machine's load. Both sides have imported
everything before the clock starts, and each is the median of three runs. The benchmark waits on asyncio alone:
polling with Pilot's pause forced a redraw every 5 ms, more often than the console draws by itself.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path
from statistics import median

from benchmarks._frames import Frames
from benchmarks._heap import settled_heap
from benchmarks._server import fake_openai
from benchmarks._spec import check_ok, clean_spec

TEXT = "\n".join(f"- item {i}: **bold** words and `code` and a [link](http://example.invalid/{i})" for i in range(1500))
ROUNDS = 3
SPEC = clean_spec(
    "List fifteen hundred short items for a load test of the console's run view.", "A Markdown bulleted list."
)


async def with_console(config) -> float:
    from core.engine import DispatchRequest
    from tui.app import make_app

    app = make_app(config, watch=False)
    frames = Frames(app, state=lambda screen: int(getattr(screen, "_finished_drawn", False)))
    async with app.run_test(size=(120, 40)) as pilot:
        while app.screen.loads < 1:  # the dashboard drawn: the clock times the stream, not the console's start
            await pilot.pause(0.01)
        began = time.perf_counter()
        live = app.start_dispatch(DispatchRequest(spec_text=SPEC))
        elapsed = await frames.wait(1, after=began) - began
        assert live.envelope is not None
        check_ok(live.envelope)
        return elapsed


async def engine_only(config) -> float:
    from core.engine import DispatchRequest, Engine, collect

    began = time.perf_counter()
    check_ok(await collect(Engine(config).dispatch(DispatchRequest(spec_text=SPEC))))
    return time.perf_counter() - began


def main() -> None:
    from core.config import load

    server = fake_openai("Reply(text=TEXT, chunks=2000)", setup="from benchmarks.console_stream import TEXT")
    with tempfile.TemporaryDirectory() as tmp, server as base_url:
        os.environ.update(
            DISPATCH_HOME=str(Path(tmp) / "home"),
            DISPATCH_PROJECTS_DIR=str(Path(tmp) / "projects"),
            DISPATCH_BASE_URL=base_url,
            NO_PROXY="127.0.0.1",
        )
        config = load()
        import core.engine  # noqa: F401 (imported before either clock starts)
        import tui.app  # noqa: F401

        print(f"text: {len(TEXT):,} chars in 2,000 deltas")
        with settled_heap():  # as the entry point does before the console opens; for both sides
            engine = median(asyncio.run(engine_only(config)) for _ in range(ROUNDS))
            console = median(asyncio.run(with_console(config)) for _ in range(ROUNDS))
        print(f"engine only (s)              {engine:.3f}")
        print(f"console, last char drawn (s) {console:.3f}")
        print(f"console vs engine (x)        {console / engine:.2f}   (goal: at most 2)")


if __name__ == "__main__":
    main()
