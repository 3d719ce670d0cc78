"""What `make run` does on a fresh machine: a real dispatch of examples/hello.md, or a clear word on what to set."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from core.cli import main

HELLO = Path(__file__).resolve().parent.parent / "examples" / "hello.md"


def quickstart() -> int:
    if not os.environ.get("DISPATCH_BASE_URL") and not _configured():
        print("dispatch: no model is configured yet. Set DISPATCH_BASE_URL to an OpenAI-compatible endpoint "
              "(and DISPATCH_API_KEY if it needs one), e.g.\n"
              "  DISPATCH_BASE_URL=http://127.0.0.1:11434/v1 DISPATCH_MODEL=qwen2.5-coder:7b make run\n"
              "or write a config with `.venv/bin/dispatch config init --preset ollama`.", file=sys.stderr)
        return 2
    return main(["--no-ui", "run", "--spec", str(HELLO), "--slug", "hello"])


def _configured() -> bool:
    from core import config

    return bool(config.load().models)


if __name__ == "__main__":
    raise SystemExit(quickstart())
