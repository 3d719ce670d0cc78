"""`dispatch batch` against the same work as separate processes, and its rate limit as the server sees it.

1. 200 dispatches of a short spec, 50 at a time, to a fake server that answers each in 200 ms: one
   `dispatch batch -j 50` process on its own event loop (-P 1), then with its default worker processes, against
   200 `dispatch run` processes launched 50 at a time. The ideal is
   200 / 50 x 0.2 s = 0.8 s; the goal is the batch within 1.2x of it. CPU per dispatch from getrusage.
2. 2,000 items with `rpm = 1000`: the most requests the fake server received in any 60 s window, which must
   never exceed 1000. This one takes two minutes by design (BATCH_BENCH_RPM_ITEMS=0 skips it).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from core.batch import procs
from tests.fakes.openai_server import FakeOpenAI, Reply

ROOT = Path(__file__).resolve().parent.parent
SPEC = (ROOT / "examples" / "hello.md").read_text(encoding="utf-8")
ITEMS, CONCURRENCY, ANSWER_S = 200, 50, 0.2
RPM_ITEMS = int(os.environ.get("BATCH_BENCH_RPM_ITEMS", "2000"))
RPM = 1000


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def environment(home: str, base_url: str, rpm: int | None = None) -> dict[str, str]:
    config = f'[models.fake]\nbase_url = "{base_url}"\nmodel = "fake"\n' + (f"rpm = {rpm}\n" if rpm else "")
    config += '[tiers.general]\nmodels = ["fake"]\ntask_types = ["general"]\n'
    Path(home, "home").mkdir(parents=True, exist_ok=True)
    Path(home, "home", "config.toml").write_text(config, encoding="utf-8")
    return {**os.environ, "DISPATCH_HOME": f"{home}/home", "DISPATCH_PROJECTS_DIR": f"{home}/projects"}


def batch(
    home: str, env: dict[str, str], count: int, concurrency: int, processes: int | None = None
) -> tuple[float, float, dict]:
    manifest = Path(home, f"work-{count}.jsonl")
    manifest.write_text(
        "".join(json.dumps({"spec": SPEC, "slug": f"item-{n}"}) + "\n" for n in range(count)), encoding="utf-8"
    )
    cpu, started = children_cpu(), time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "core", "batch", str(manifest), "-j", str(concurrency), "--json"]
        + (["-P", str(processes)] if processes else []),
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        raise SystemExit(f"the batch failed (exit {done.returncode}): {done.stderr[-2000:]}")
    wall = time.perf_counter() - started
    return wall, children_cpu() - cpu, json.loads(done.stdout.splitlines()[-1])


def processes(home: str, env: dict[str, str], count: int, concurrency: int) -> tuple[float, float]:
    spec = Path(home, "spec.md")
    spec.write_text(SPEC, encoding="utf-8")

    def one(n: int) -> None:
        subprocess.run(
            [sys.executable, "-m", "core", "--no-ui", "run", "--spec", str(spec), "--slug", f"proc-{n}", "--json"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            check=True,
        )

    cpu, started = children_cpu(), time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(count)))
    return time.perf_counter() - started, children_cpu() - cpu


def most_in_a_minute(times: list[float]) -> int:
    times = sorted(times)
    best = start = 0
    for end, moment in enumerate(times):
        while times[start] <= moment - 60.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def main() -> None:
    ideal = ITEMS / CONCURRENCY * ANSWER_S
    with tempfile.TemporaryDirectory() as home, FakeOpenAI([Reply(text="Hello there.", hang=ANSWER_S)]) as server:
        env = environment(home, server.base_url)
        for workers, label in ((1, "-P 1"), (None, f"-P default ({procs.auto(ITEMS)})")):
            wall, cpu, summary = batch(home, env, ITEMS, CONCURRENCY, workers)
            run_s = summary["duration_ms"] / 1000
            print(
                f"batch {label}: {ITEMS} dispatches -j {CONCURRENCY}, {ANSWER_S * 1000:.0f} ms answers: "
                f"{summary['ok']} ok, run phase {run_s:.2f} s ({run_s / ideal:.2f}x the ideal {ideal:.1f} s, goal "
                f"<= 1.2x), process wall {wall:.2f} s, CPU {cpu:.2f} s = {cpu / ITEMS * 1000:.1f} ms per dispatch"
            )
        wall, cpu = processes(home, env, ITEMS, CONCURRENCY)
        print(
            f"separate processes: {ITEMS} `dispatch run`, {CONCURRENCY} at a time: wall {wall:.2f} s "
            f"({wall / ideal:.1f}x the ideal), CPU {cpu:.2f} s = {cpu / ITEMS * 1000:.1f} ms per dispatch"
        )
    if RPM_ITEMS <= 0:
        return
    with tempfile.TemporaryDirectory() as home, FakeOpenAI([Reply(text="ok")]) as server:
        env = environment(home, server.base_url, rpm=RPM)
        wall, cpu, summary = batch(home, env, RPM_ITEMS, CONCURRENCY)
        peak = most_in_a_minute(server.times)
        print(
            f"rate limit: {RPM_ITEMS} items at rpm = {RPM}: {summary['ok']} ok in {wall:.1f} s; the most the server "
            f"saw in any 60 s window: {peak} ({'within' if peak <= RPM else 'OVER'} the limit)"
        )


if __name__ == "__main__":
    main()
