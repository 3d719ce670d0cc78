"""What the reliability tests share: canary secrets, a sweep of every file a run can leave, and small scripts."""

from __future__ import annotations

import json
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.redact import KNOWN_KEY_VARS
from tests.helpers import write

CANARIES = {
    name: f"canary{index:02d}q{name.lower().replace('_', 'z')}x7"
    for index, name in enumerate([*KNOWN_KEY_VARS, "MY_PROXY_CREDENTIAL"])
}
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


@dataclass
class Sweep:
    """A canary sweep: every text a run showed (stdout, stderr, tool replies, screens), then every file under the
    projects dir and DISPATCH_HOME; `check` fails naming each hit, and prints how many sinks times keys it read."""

    isolated: Path
    secrets: list[str] = field(default_factory=lambda: list(CANARIES.values()))
    texts: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, *texts: str) -> None:
        for number, text in enumerate(texts):
            self.texts[f"{name}#{number}" if len(texts) > 1 else name] = text

    def cli(self, name: str, result: Any) -> Any:
        """Keep a dispatch subprocess's stdout and stderr; returns the result."""
        assert "Traceback" not in result.stderr, result.stderr
        self.add(f"{name} stdout", result.stdout)
        self.add(f"{name} stderr", result.stderr)
        return result

    def check(self, label: str) -> None:
        files = [
            p
            for root in (self.isolated / "projects", self.isolated / "home")
            for p in root.rglob("*")
            if p.is_file() and not p.is_symlink()
        ]
        found = leaks(self.isolated, self.secrets, *self.texts.values())
        names = list(self.texts)
        found = [
            f"{names[int(f.split(':')[0].split()[1])]}: {f.split(': ', 1)[1]}" if f.startswith("text ") else f
            for f in found
        ]
        print(
            f"\ncanary sweep {label}: {len(files)} files + {len(self.texts)} outputs = {len(files) + len(self.texts)} "
            f"sinks x {len(self.secrets)} keys = {(len(files) + len(self.texts)) * len(self.secrets)} checks"
        )
        assert found == [], found


def script(path: Path, body: str) -> Path:
    write(path, f"#!{sys.executable}\n" + textwrap.dedent(body))
    path.chmod(0o755)
    return path


def events_of(audit_path: str) -> list[dict[str, Any]]:
    path = Path(audit_path.replace("-result.json", "-events.jsonl"))
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
