"""What the reliability tests share: canary secrets, a sweep of every file a run can leave, and small scripts."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import Any

from core.redact import KNOWN_KEY_VARS
from tests.helpers import write

CANARIES = {name: f"canary{index:02d}q{name.lower().replace('_', 'z')}x7" for index, name in
            enumerate([*KNOWN_KEY_VARS, "MY_PROXY_CREDENTIAL"])}
"""A value for every key variable the backends read, none shaped like a known key: only exact-value masking
catches them. MY_PROXY_CREDENTIAL is named only by a model's api_key_env."""


def leaks(isolated: Path, secrets: list[str], *texts: str) -> list[str]:
    """Every place a secret appears: files under the projects dir and DISPATCH_HOME (as bytes, the SQLite index
    and its WAL included) and the given texts (stdout, stderr)."""
    found = []
    needles = [s.encode() for s in secrets]
    files = [p for root in (isolated / "projects", isolated / "home") for p in root.rglob("*")]
    for path in sorted(p for p in files if p.is_file() and not p.is_symlink()):
        data = path.read_bytes()
        found += [f"{path}: {n.decode()}" for n in needles if n in data]
    for number, text in enumerate(texts):
        found += [f"text {number}: {s}" for s in secrets if s in text]
    return found


def script(path: Path, body: str) -> Path:
    write(path, f"#!{sys.executable}\n" + textwrap.dedent(body))
    path.chmod(0o755)
    return path


def events_of(audit_path: str) -> list[dict[str, Any]]:
    path = Path(audit_path.replace("-result.json", "-events.jsonl"))
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
