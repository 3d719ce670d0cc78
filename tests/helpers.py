"""Shared test helpers: run the real CLI in a subprocess, and write specs and configs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

MODELS = ROOT / ".cache" / "models"
"""Where the suite keeps the built-in model's joined weights: one copy for every test (and run), not one per home."""

GOOD_SPEC = """\
Task type: general

## Goal
Summarise the three numbered points below into one sentence for a release announcement draft.

## Non-goals
Do not add points that are not listed.

## Inputs
1. Faster start-up. 2. A new audit browser. 3. Fewer crashes.

## Output
Plain text, one sentence, at most 30 words.

## Verification
All three points appear in the sentence.

## Escalation
None: the draft is internal and reviewed before it is used.
"""


MARKDOWN_SPEC = GOOD_SPEC.replace("Plain text, one sentence, at most 30 words.", "Markdown, at most 60 words.")
"""GOOD_SPEC for answers drawn as Markdown (headings, lists), which its plain-text contract would refuse."""


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def dispatch(
    *args: str,
    input: str | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 60,
    stdin: Path | None = None,
) -> Result:
    """Run `python -m core.cli ARGS` as a user would, in the test's isolated environment; stdin is `input`, the
    file `stdin` (a device such as /dev/zero), or nothing."""
    full_env = {**os.environ, **(env or {})}
    with open(stdin or os.devnull, "rb") as source:
        proc = subprocess.run(
            [sys.executable, "-m", "core", *args],
            input=input,
            capture_output=True,
            text=True,
            env=full_env,
            cwd=cwd or ROOT,
            timeout=timeout,
            stdin=None if input is not None else source,
        )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def local_model_missing(options: dict[str, str] | None = None) -> str | None:
    """Why the built-in local model (with these options) cannot run here (the [local] extra or its weights absent),
    or None."""
    from dataclasses import replace

    from core.config import builtin_local
    from core.errors import DispatchError
    from core.local import runtime

    try:
        runtime.check(replace(builtin_local(), options=options or {}))
    except DispatchError as exc:
        return exc.one_line()
    return None


LOCAL_MISSING = local_model_missing()
needs_local_model = pytest.mark.skipif(
    LOCAL_MISSING is not None, reason=f"the local model is not installed ({LOCAL_MISSING}); `make test` installs it"
)
