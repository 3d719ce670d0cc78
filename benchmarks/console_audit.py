"""The console over a large trail: time to the audit browser's first page, a page turn, a search and the
dashboard, with 100,000 runs in the index (100 projects x 1,000 runs). The issue's bar: a plain DataTable
of 100k rows took ~11.6 s to its first frame; the browser pages through the index instead.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

PROJECTS = 100
RUNS_EACH = 1000


def seed(projects_dir: Path) -> None:
    from core.audit.index import Index
    from core.audit.store import Project

    index = Index.open()
    for p in range(PROJECTS):
        slug = f"project-{p:03d}"
        Project.at(slug).ensure(f"benchmark project {p}", "openai")
        records = [{"run_id": f"20261121-{p:03d}{r:03d}-1-{r}", "slug": slug, "status": "ok" if r % 9 else "error",
                    "backend": "openai", "model": "default", "tier": "general", "task_type": "general",
                    "kind": "run", "result": f"answer {r} about topic {r % 97}", "spec": f"Goal: task {r} of {slug}",
                    "usage": {"input_tokens": 100, "output_tokens": 50}, "cost_usd": 0.0001, "duration_ms": 900,
                    "started_at": f"2026-11-21T{p % 24:02d}:{r // 60 % 60:02d}:{r % 60:02d}.000+00:00",
                    "audit_path": "", "session_id": f"s-{p}-{r // 10}"} for r in range(RUNS_EACH)]
        index.record_runs(slug, records)
    index.close()


async def measure() -> dict[str, float]:
    from textual.widgets import DataTable

    from core.config import Config
    from tui.app import make_app

    app = make_app(Config(), watch=False)
    timings: dict[str, float] = {}
    began = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        timings["dashboard first frame (s)"] = time.perf_counter() - began
        began = time.perf_counter()
        await pilot.press("f4")
        table = app.screen.query_one("#runs", DataTable)
        while table.row_count < 50:
            await pilot.pause(0.001)
        timings["audit browser first page (s)"] = time.perf_counter() - began
        table.focus()
        began = time.perf_counter()
        await pilot.press("right_square_bracket")
        await pilot.pause()
        timings["page turn, key to drawn (s)"] = time.perf_counter() - began
        screen = app.screen
        began = time.perf_counter()
        screen.action_next_page()
        timings["page turn, query + table fill (s)"] = time.perf_counter() - began
        screen.query_one("#search").value = "topic 42"
        began = time.perf_counter()
        screen.reload_runs()
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
        for name, value in asyncio.run(measure()).items():
            print(f"{name:32} {value:,.3f}")


if __name__ == "__main__":
    main()
