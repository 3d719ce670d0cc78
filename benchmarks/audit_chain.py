"""What the hash chain costs: sealing a finished record against writing it plain, and `audit verify` of a project.

2,000 records of about 12 KB each (a spec, an answer, raw wire output) are written once with the plain atomic
write and once through `Project.write_run` (digest + chain head + record), and then the project is verified.
The chain's cost per run is the difference of the two write loops divided by the records.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from core.audit import chain
from core.audit.store import Project
from core.fsutil import atomic_write_json

RECORDS = int(os.environ.get("CHAIN_BENCH_RECORDS", "2000"))


def record(number: int) -> dict[str, object]:
    return {
        "run_id": f"20261202-0700{number // 60 % 60:02d}-1-{number}",
        "status": "ok",
        "kind": "run",
        "started_at": f"2026-12-02T07:00:00.{number:06d}",
        "spec": "Goal: summarise the notes. " * 40,
        "result": "The answer, in a sentence or two. " * 60,
        "raw": 'data: {"delta": "word"}\n' * 300,
        "usage": {"input_tokens": 1200, "output_tokens": 345},
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as base:
        plain, sealed = Project("plain", Path(base) / "plain"), Project("sealed", Path(base) / "sealed")
        for project in (plain, sealed):
            project.logs.mkdir(parents=True)
        started = time.perf_counter()
        for number in range(RECORDS):
            data = record(number)
            atomic_write_json(plain.result_path(str(data["run_id"])), data)
        plain_s = time.perf_counter() - started
        started = time.perf_counter()
        for number in range(RECORDS):
            data = record(number)
            sealed.write_run(str(data["run_id"]), data)
        sealed_s = time.perf_counter() - started
        started = time.perf_counter()
        report = chain.verify("sealed", sealed.logs, live=False)
        verify_s = time.perf_counter() - started
        assert report.ok and report.chained == RECORDS, report
        print(
            f"{RECORDS} records: plain write {plain_s * 1000 / RECORDS:.2f} ms each, sealed "
            f"{sealed_s * 1000 / RECORDS:.2f} ms each (chain +{(sealed_s - plain_s) * 1000 / RECORDS:.2f} ms); "
            f"audit verify {verify_s:.2f} s ({verify_s * 1e6 / RECORDS:.0f} us a record)"
        )


if __name__ == "__main__":
    main()
