"""The console over a large trail, with 100,000 runs in the index (100 projects x 1,000 runs): the
dashboard's first frame side by side with a Textual hello app measured in the same run (goal: at most 2x),
the audit browser's first page, a page turn from key to drawn (goal: 50 ms) and a search. The first frames are
medians of 5 starts of each app taken in turns, the page turn a median of 5.

"Drawn" is when the frame is handed to the driver (benchmarks/_frames.py). The figures to the end of Pilot's
press or pause, as they were reported before, are printed too: they include Pilot's idle detection.
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

PROJECTS = 100
RUNS_EACH = 1000
FIRST_FRAMES = 5
"""Starts of each app timed, after one untimed start of each."""


def seed(projects_dir: Path) -> None:
    from core.audit.index import Index
    from core.audit.store import Project

    index = Index.open()
    for p in range(PROJECTS):
        slug = f"project-{p:03d}"
        Project.at(slug).ensure(f"benchmark project {p}", "openai")
        records = [
            {
                "run_id": f"20261121-{p:03d}{r:03d}-1-{r}",
                "slug": slug,
                "status": "ok" if r % 9 else "error",
                "backend": "openai",
                "model": "default",
                "tier": "general",
                "task_type": "general",
                "kind": "run",
                "result": f"answer {r} about topic {r % 97}",
                "spec": f"Goal: task {r} of {slug}",
                "usage": {"input_tokens": 100, "output_tokens": 50},
                "cost_usd": 0.0001,
                "duration_ms": 900,
                "started_at": f"2026-11-21T{p % 24:02d}:{r // 60 % 60:02d}:{r % 60:02d}.000+00:00",
                "audit_path": "",
                "session_id": f"s-{p}-{r // 10}",
            }
            for r in range(RUNS_EACH)
        ]
        index.writer.record_runs(slug, records)
    index.close()


class Hello:
    """The floor: a Textual app that draws one line, timed the same way as the console."""

    @staticmethod
    def make():
        from textual.app import App
        from textual.widgets import Static

        class HelloApp(App[None]):
            def compose(self):
                yield Static("hello")

        return HelloApp()


async def first_frame(make) -> tuple[float, float, float]:
    """Seconds to the first frame drawn, to the first with the dashboard's lists (the same for hello), and
    to the end of Pilot's first pause (the figure reported before frames were timed)."""
    app = make()
    frames = Frames(app)
    began = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        paused = time.perf_counter()
        frame = await frames.wait()
        filled = await frames.wait(1)
        return frame - began, filled - began, paused - began


async def measure() -> dict[str, float]:
    from core.config import Config
    from tui.app import make_app
    from tui.widgets.runs_table import RunsTable

    timings: dict[str, float] = {}

    def dashboard():
        return make_app(Config(), watch=False)

    for make in (Hello.make, dashboard):
        await first_frame(make)  # each app's first start in a process pays one-time costs the others do not
    hello, console = [], []
    for _ in range(FIRST_FRAMES):  # in turns, so a change in the machine's load falls on both alike
        hello.append(await first_frame(Hello.make))
        console.append(await first_frame(dashboard))
    for name, runs in (("hello app", hello), ("dashboard", console)):
        timings[f"{name} first frame (s)"] = median(frame for frame, _, _ in runs)
    timings["dashboard vs hello (x)"] = timings["dashboard first frame (s)"] / timings["hello app first frame (s)"]
    timings["dashboard lists drawn (s)"] = median(filled for _, filled, _ in console)
    for name, runs in (("hello app", hello), ("dashboard", console)):
        timings[f"{name}, to Pilot's pause (s)"] = median(paused for _, _, paused in runs)
    timings["same, dashboard vs hello (x)"] = (
        timings["dashboard, to Pilot's pause (s)"] / timings["hello app, to Pilot's pause (s)"]
    )

    app = make_app(Config(), watch=False)
    frames = Frames(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        began = time.perf_counter()
        await pilot.press("f4")
        screen = app.screen
        table = screen.query_one("#runs", RunsTable)
        while table.row_count < 50:
            await pilot.pause(0.001)
        timings["audit browser first page (s)"] = time.perf_counter() - began
        table.focus()
        turns, pilot_turns = [], []
        for _ in range(5):
            await pilot.pause()
            loads = screen.loads
            began = time.perf_counter()
            await pilot.press("right_square_bracket")
            drawn = await frames.wait(loads + 1, after=began)
            await pilot.pause()
            turns.append(drawn - began)
            pilot_turns.append(time.perf_counter() - began)
        timings["page turn, key to drawn (s)"] = median(turns)
        timings["page turn, to Pilot's pause (s)"] = median(pilot_turns)
        screen.query_one("#search").value = "topic 42"
        loads = screen.loads
        began = time.perf_counter()
        screen.reload_runs()
        while screen.loads == loads:
            await pilot.pause(0.001)
        timings["search, query + table fill (s)"] = time.perf_counter() - began
        timings["search hits shown"] = float(screen.total)
    return timings


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DISPATCH_HOME"] = str(Path(tmp) / "home")
        os.environ["DISPATCH_PROJECTS_DIR"] = str(Path(tmp) / "projects")
        began = time.perf_counter()
        seed(Path(tmp) / "projects")
        print(f"seeded {PROJECTS * RUNS_EACH:,} runs in {time.perf_counter() - began:.1f} s")
        with settled_heap():  # as the entry point does before the console opens; for the hello app too
            timings = asyncio.run(measure())
        for name, value in timings.items():
            print(f"{name:32} {value:,.3f}")


if __name__ == "__main__":
    main()
