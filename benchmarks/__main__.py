"""Run every benchmark module in this package, one after another, printing each one's report.

One that fails says so in a line and the rest still run (a broken console_diff once hid console_stream);
the exit code is then 1.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    failed = []
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        print(f"== {info.name}", flush=True)
        try:
            importlib.import_module(f"benchmarks.{info.name}").main()
        except (Exception, SystemExit) as error:
            failed.append(info.name)
            print(f"{info.name} failed: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
