"""What `make run` does on a fresh machine: open the console, or without a terminal dispatch examples/hello.md.

Either way it needs no key and no config: with nothing configured a dispatch goes to the built-in local model.
"""

from __future__ import annotations

import sys
from pathlib import Path

from core.cli import main

HELLO = Path(__file__).resolve().parent.parent / "examples" / "hello.md"


def quickstart() -> int:
    if sys.stdin.isatty() and sys.stdout.isatty():
        return main([])
    return main(["--no-ui", "run", "--spec", str(HELLO), "--slug", "hello"])


if __name__ == "__main__":
    raise SystemExit(quickstart())
