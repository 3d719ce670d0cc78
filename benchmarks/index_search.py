"""How fast the run index answers at scale: builds N synthetic runs (default 100k) and times the queries
list, status, runs and search make, plus opening the index and its full integrity check.

    python -m benchmarks.index_search [--runs 100000] [--projects 500] [--repeat 20]

Runs go straight into the index (project.json files are real, so opening it sees a project dir per slug);
the text follows a Zipf-like word distribution, so common words match most runs and rare ones few.
Prints one line per measurement: median and worst of --repeat timings, in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

WORDS = 6000


def vocabulary(rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words: set[str] = set()
    while len(words) < WORDS:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(3, 9))))
    return sorted(words)


def records(count: int, projects: int, rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    vocab = vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(vocab))]
    cumulative = _cumulative(weights)
    out: dict[str, list[dict[str, Any]]] = {f"project-{p:04d}": [] for p in range(projects)}
    slugs = list(out)
    for n in range(count):
        slug = slugs[n % projects]
        day = 1 + (n * 28) // count
        out[slug].append(
            {
                "run_id": f"202611{day:02d}-120000-{n}-1",
                "status": rng.choice(("ok",) * 8 + ("error", "timeout")),
                "kind": "run",
                "model": "bench",
                "tier": "general",
                "task_type": "general",
                "started_at": f"2026-11-{day:02d}T12:00:00.{n % 1000:03d}+00:00",
                "duration_ms": rng.randint(500, 90_000),
                "usage": {"input_tokens": rng.randint(100, 5000), "output_tokens": rng.randint(50, 3000)},
                "cost_usd": rng.random() / 100,
                "session_id": f"s-{slug}-{n // (projects * 4)}",
                "spec": " ".join(rng.choices(vocab, cum_weights=cumulative, k=60)),
                "result": " ".join(rng.choices(vocab, cum_weights=cumulative, k=150)),
            }
        )
    return out


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def build(count: int, projects: int, where: Path) -> None:
    from core.audit.index import Index
    from core.audit.store import Project

    start = time.perf_counter()
    data = records(count, projects, random.Random(7))
    print(f"generated {count} runs over {projects} projects in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    with Index.open() as index:
        for slug, rows in data.items():
            Project.at(slug).ensure(f"benchmark project {slug}", "openai")
            index.writer.record_runs(slug, rows)
    size = (where / ".dispatch-index.sqlite3").stat().st_size / 1e6
    print(f"indexed in {time.perf_counter() - start:.1f} s; database {size:.0f} MB")


def timed(label: str, action: Callable[[], Any], repeat: int) -> None:
    times = []
    result: Any = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append((time.perf_counter() - start) * 1000)
    size = len(result) if hasattr(result, "__len__") else result
    print(f"{label:<48} median {statistics.median(times):8.2f} ms   max {max(times):8.2f} ms   ({size})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="build in DIR and keep it; a later run with the same DIR reuses what is there",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dispatch-bench-") as tmp:
        where = args.keep or Path(tmp)
        os.environ["DISPATCH_PROJECTS_DIR"] = str(where)
        if not (where / ".dispatch-index.sqlite3").exists():
            build(args.runs, args.projects, where)
        vocab = vocabulary(random.Random(7))
        common, middling, rare = vocab[0], vocab[50], vocab[5000]
        slug = "project-0000"
        from core.audit.index import Index

        timed("open (migrate check + catch-up stat per project)", lambda: Index.open().close(), args.repeat)
        with Index.open() as index:
            timed(f"search rare word ({rare})", lambda: index.search(rare), args.repeat)
            timed(f"search middling word ({middling})", lambda: index.search(middling), args.repeat)
            timed(f"search most common word ({common})", lambda: index.search(common), args.repeat)
            timed("search two words", lambda: index.search(f"{middling} {vocab[80]}"), args.repeat)
            timed("search prefix", lambda: index.search(vocab[300][:3] + "*"), args.repeat)
            timed("search middling, one project", lambda: index.search(middling, project=slug), args.repeat)
            timed("search middling, --since last week", lambda: index.search(middling, since="2026-11-21"), args.repeat)
            timed("search middling, --status error", lambda: index.search(middling, status="error"), args.repeat)
            for sort in ("updated", "name", "cost"):
                timed(f"list --sort {sort}", lambda sort=sort: index.projects(sort=sort), args.repeat)
            timed("runs of one project (50)", lambda: index.runs(slug), args.repeat)
            timed("runs, all projects, newest 50", lambda: index.runs(), args.repeat)
            timed("count runs", lambda: index.count_runs(), args.repeat)
            timed("sessions of one project", lambda: index.sessions(slug), args.repeat)
            timed(
                "status (project row + last run)", lambda: (index.project(slug), index.runs(slug, limit=1)), args.repeat
            )
            timed("full integrity check (FTS5 rank 1)", index.writer.verify, 1)
            query_plans(index, "search two words", lambda: index.search(f"{middling} {vocab[80]}"))
            query_plans(index, "search --since", lambda: index.search(middling, since="2026-11-21"))


def query_plans(index: Any, label: str, action: Callable[[], Any]) -> None:
    """EXPLAIN QUERY PLAN of every SELECT a search ran: 'VIRTUAL TABLE INDEX ...:M' is the full-text index
    serving the MATCH, 'SEARCH ... USING' a B-tree; a bare 'SCAN runs' would be a table scan."""
    statements: list[str] = []
    index.conn.set_trace_callback(statements.append)
    try:
        action()
    finally:
        index.conn.set_trace_callback(None)
    print(f"query plans of {label}:")
    for sql in statements:
        if sql.lstrip().upper().startswith("SELECT") and "_config" not in sql:
            steps = [row[3] for row in index.conn.execute("EXPLAIN QUERY PLAN " + sql)]
            print(f"  {' | '.join(steps)}")


if __name__ == "__main__":
    main()
