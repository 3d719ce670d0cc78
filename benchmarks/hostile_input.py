"""What the reliability fixes cost and bound: lint on a long Inputs line and on a 10 MB spec, and the streaming
redactor's overhead per chunk (it holds back only a tail that could still be a key).

    python -m benchmarks.hostile_input
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from core import spec as specs
from core.redact import Redactor

SPEC = "## Goal\nSummarise the points below into one sentence for a release note.\n## Output\nPlain text.\n## Inputs\n"


def lint_seconds(text: str, cwd: Path) -> float:
    started = time.perf_counter()
    specs.lint(text, cwd=cwd)
    return time.perf_counter() - started


def stream_seconds(chunks: int) -> tuple[float, float]:
    redactor = Redactor(["plain-canary-value-42"])
    text = "a plain token of prose "
    started = time.perf_counter()
    stream = redactor.stream()
    for _ in range(chunks):
        stream.feed(text)
    stream.flush()
    streamed = time.perf_counter() - started
    started = time.perf_counter()
    redactor.text(text * chunks)
    return streamed, time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as cwd:
        for count in (10_000, 30_000, 60_000):
            line = " ".join(f"src/m{n}.py" for n in range(count))
            print(
                f"lint, one Inputs line of {count:,} paths ({len(line) / 1e3:.0f} KB): "
                f"{lint_seconds(SPEC + line, Path(cwd)):.2f} s"
            )
        huge = SPEC + "\n".join(f"line {n} of padding" for n in range(600_000))
        print(f"lint, a {len(huge) / 1e6:.1f} MB spec (refused as too-large): {lint_seconds(huge, Path(cwd)):.3f} s")
    chunks = 50_000
    streamed, whole = stream_seconds(chunks)
    print(
        f"redaction of {chunks:,} streamed chunks: {streamed:.2f} s ({streamed / chunks * 1e6:.1f} us a chunk); "
        f"the same text at once: {whole:.3f} s"
    )


if __name__ == "__main__":
    main()
