"""What a run's index writes cost beside many projects: the engine's kept writer, against opening, migrating and
catching up a fresh index for every write (what each run did twice before the writer was kept).

    python -m benchmarks.index_write [--projects 500] [--writes 200]

Prints the mean milliseconds per write for each way.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=500)
    parser.add_argument("--writes", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dispatch-bench-") as where:
        os.environ["DISPATCH_PROJECTS_DIR"], os.environ["DISPATCH_HOME"] = where, f"{where}/home"
        print(measure(args.projects, args.writes))


def measure(projects: int, writes: int) -> str:
    from core.audit.index_writer import IndexWriter, RunIndex
    from core.audit.store import Project

    for p in range(projects):
        Project.at(f"p{p}").ensure("benchmark project", "openai")
    IndexWriter.open(catch_up=True).close()

    def rows(n: int) -> list[dict[str, Any]]:
        return [{"run_id": f"20261121-120000-1-{n}", "slug": "p0", "status": "ok", "spec": "s", "result": "r"}]

    start = time.perf_counter()
    for n in range(writes):
        with IndexWriter.open(catch_up=True) as fresh:
            fresh.record_runs("p0", rows(n))
    fresh_ms = (time.perf_counter() - start) / writes * 1000
    kept = RunIndex()
    start = time.perf_counter()
    for n in range(writes):
        kept("p0", rows(writes + n))
    kept_ms = (time.perf_counter() - start) / writes * 1000
    kept.close()
    return (
        f"{projects} projects: a fresh open + migrate + catch-up per write {fresh_ms:.2f} ms; "
        f"the kept writer {kept_ms:.2f} ms"
    )


if __name__ == "__main__":
    main()
