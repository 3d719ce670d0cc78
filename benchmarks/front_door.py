"""The read-only commands as whole processes at scale: `list`, `search`, `status`, `runs` and `sessions` over
an index of N synthetic runs (default 100k), side by side with a bare `python -c pass` and, when the `llm`
command is on PATH, `llm logs -q` (the goal: <= 90 ms each, <= 0.15x `llm logs -q`). Ends with the largest
imports of `list` (`python -X importtime`), so a heavy import that creeps back in shows.

    python -m benchmarks.front_door [--runs 100000] [--projects 500] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.index_search import build, vocabulary

ROOT = Path(__file__).resolve().parent.parent
RUNS = 9
GOAL_MS = 90.0


def median_ms(argv: list[str], env: dict[str, str]) -> float:
    def once() -> float:
        started = time.perf_counter()
        subprocess.run(argv, env=env, cwd=ROOT, check=True, capture_output=True, stdin=subprocess.DEVNULL)
        return (time.perf_counter() - started) * 1000

    once()
    return statistics.median(once() for _ in range(RUNS))


def largest_imports(argv: list[str], env: dict[str, str], count: int = 8) -> list[str]:
    """The top-level imports with the largest cumulative time, from `python -X importtime`."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    rows = []
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[1].strip().isdigit() and parts[2].startswith(" ") and parts[2][1:2] != " ":
            rows.append((int(parts[1]), parts[2].strip()))
    return [f"{us / 1000:6.1f} ms  {name}" for us, name in sorted(rows, reverse=True)[:count]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=500)
    parser.add_argument("--keep", type=Path, metavar="DIR", help="build in DIR and keep it (reused next time)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dispatch-bench-") as tmp:
        where = args.keep or Path(tmp)
        env = {**os.environ, "DISPATCH_PROJECTS_DIR": str(where), "DISPATCH_HOME": str(Path(tmp) / "home")}
        os.environ["DISPATCH_PROJECTS_DIR"] = str(where)
        if not (where / ".dispatch-index.sqlite3").exists():
            build(args.runs, args.projects, where)
        vocab = vocabulary(random.Random(7))
        dispatch = [sys.executable, "-m", "core"]
        commands = {
            "list": ["list"],
            f"search {vocab[50]}": ["search", vocab[50]],
            "search two words": ["search", f"{vocab[50]} {vocab[80]}"],
            "search --since": ["search", vocab[50], "--since", "2026-11-21"],
            "status": ["status", "--slug", "project-0000"],
            "runs": ["runs", "--slug", "project-0000"],
            "sessions": ["sessions", "--slug", "project-0000"],
        }
        bare = median_ms([sys.executable, "-c", "pass"], env)
        llm = shutil.which("llm")
        llm_ms = median_ms([llm, "logs", "-q", vocab[50]], env) if llm else None
        print(
            f"python -c pass: {bare:.0f} ms"
            + (f"   llm logs -q: {llm_ms:.0f} ms" if llm_ms else "   (llm not on PATH: no llm logs -q comparison)")
        )
        for label, argv in commands.items():
            ms = median_ms([*dispatch, *argv], env)
            versus = f"   {ms / llm_ms:.2f}x llm logs -q (goal <= 0.15x)" if llm_ms else ""
            print(f"{label:<24} {ms:6.0f} ms (goal <= {GOAL_MS:.0f} ms; {ms / bare:.1f}x python -c pass){versus}")
        print("largest imports of `list`:")
        for line in largest_imports(["-m", "core", "list"], env):
            print(f"  {line}")


if __name__ == "__main__":
    main()
