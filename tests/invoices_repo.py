"""Seed A's example as a real git repo made by the test: `src/invoices.py` with `parse_invoice()`, its pytest
tests, and the spec that asks for the refactor. Shared by the stateless-inputs and the worktree tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

INVOICES = '''\
def parse_invoice(text):
    """Split one invoice line into its fields."""
    return text.split(",")
'''
REFACTORED = '''\
def parse_invoice(text):
    """Split one invoice line into its fields, without the spaces around them."""
    return [field.strip() for field in text.split(",")]
'''
REPLY = f"Refactored parse_invoice() in src/invoices.py:\n\n```python\n{REFACTORED}```\n"
"""The answer the spec's Output contract asks for ("the updated parse_invoice() function as a Python code block")."""
TESTS = """\
from src.invoices import parse_invoice


def test_fields():
    assert [f.strip() for f in parse_invoice("a, b")] == ["a", "b"]
"""
SPEC = f"""\
Task type: agentic-coding

## Goal
Refactor the parse_invoice() function in src/invoices.py so that it strips the spaces around each field.

## Non-goals
Do not change the function signature or any other file.

## Inputs
`src/invoices.py` and `tests/test_invoices.py`

## Output
The updated parse_invoice() function as a Python code block.

## Escalation
None: the change stays on its own branch until it is reviewed.

## Verification
Run: {sys.executable} -m pytest -q -p no:cacheprovider tests
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True, stdin=subprocess.DEVNULL
    ).stdout


def make_repo(path: Path) -> Path:
    """The repo, committed on main, then dirtied as a user's tree is: an uncommitted edit and an untracked file."""
    (path / "src").mkdir(parents=True)
    (path / "tests").mkdir()
    (path / "src" / "__init__.py").write_text("")
    (path / "src" / "invoices.py").write_text(INVOICES)
    (path / "tests" / "test_invoices.py").write_text(TESTS)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.name", "Test User")
    git(path, "config", "user.email", "user@example.invalid")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "invoices")
    with open(path / "tests" / "test_invoices.py", "a") as handle:
        handle.write("# a note the user has not committed\n")
    (path / "scratch.txt").write_text("the user's untracked file\n")
    return path


def tree_state(repo: Path) -> tuple[str, str, str, str]:
    """Everything of the user's that must not change: status, HEAD, current branch and the uncommitted diff."""
    return (
        git(repo, "status", "--porcelain"),
        git(repo, "rev-parse", "HEAD"),
        git(repo, "branch", "--show-current"),
        git(repo, "diff"),
    )
