"""The spec's input files, read under --cwd and sent with the spec to a model that cannot open them itself.

A stateless model (openai, local, web) sees only its prompt, so the paths and globs a spec's Inputs section
names are read here before anything is sent: each must resolve inside --cwd (no `..`, no absolute path or
symlink leading out), be text and stay under a size cap; key-shaped strings inside are masked; and the
whole prompt must fit the model's context with room for the answer, or the dispatch is refused, never
silently truncated. Each file goes in a delimited block naming its path, size and sha256, so the record
says exactly what the model saw, and a resumed session is not sent a file it already holds.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import stat
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from core import spec as specs
from core.config import ModelConfig
from core.fsutil import TooLarge, read_capped
from core.redact import MASK, Redactor
from core.spec import Finding, Severity
from core.tokens import estimate

MAX_FILE_BYTES = 256 * 1024
"""A bigger input file is refused: past this, paste the part that matters or hand the task to an agent."""
MAX_FILES = 200
"""A glob matching more files than this is refused rather than flooding the context."""
ANSWER_RESERVE = 1024
"""Tokens kept free for the answer when the model sets no max_tokens."""
_LANGUAGES = {
    ".py": "python",
    ".js": "javascript",
    ".ts": "typescript",
    ".tsx": "tsx",
    ".jsx": "jsx",
    ".rs": "rust",
    ".go": "go",
    ".java": "java",
    ".c": "c",
    ".h": "c",
    ".cpp": "cpp",
    ".rb": "ruby",
    ".sh": "sh",
    ".sql": "sql",
    ".md": "markdown",
    ".json": "json",
    ".toml": "toml",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".html": "html",
    ".css": "css",
    ".csv": "csv",
    ".xml": "xml",
    ".ini": "ini",
    ".cfg": "ini",
    ".txt": "text",
}


_BACKTICKS = re.compile(r"`{3,}")


@dataclass
class InputFile:
    path: str
    """Relative to --cwd, with forward slashes."""
    size: int
    sha256: str
    """Of the file's bytes on disk, so a reader can check it is the same file."""
    text: str
    """The content as sent: masked."""
    masked: int

    @cached_property
    def block(self) -> str:
        fence = "`" * max(3, max(map(len, _BACKTICKS.findall(self.text)), default=0) + 1)
        language = _LANGUAGES.get(Path(self.path).suffix.lower(), "")
        body = self.text if self.text.endswith("\n") or not self.text else self.text + "\n"
        return (
            f"<<<input {self.path} ({self.size} bytes, sha256 {self.sha256})\n"
            f"{fence}{language}\n{body}{fence}\n>>>end of {self.path}\n"
        )

    @cached_property
    def tokens(self) -> int:
        """At the most cautious rate (core/tokens.py): lint and the envelope name no model's family."""
        return estimate(self.block)

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "bytes": self.size,
            "sha256": self.sha256,
            "tokens": self.tokens,
            "masked": self.masked,
        }


@dataclass
class Inputs:
    """What a spec's Inputs section resolves to under one directory: the files to send and what was refused."""

    cwd: Path
    files: list[InputFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """Named paths that are not there (lint reports them when --cwd was given)."""
    already_sent: list[str] = field(default_factory=list)
    """Files a resumed session already holds, unchanged, so they are not sent again."""

    @property
    def masked(self) -> int:
        return sum(f.masked for f in self.files)

    @property
    def tokens(self) -> int:
        return sum(f.tokens for f in self.files)

    def compose(self, prompt: str) -> str:
        """The prompt with every input file after it, in its block."""
        if not self.files:
            return prompt
        blocks = "".join(f.block for f in self.files)
        return (
            f"{prompt.rstrip()}\n\n## Input files\nThe files the Inputs section names, read from the user's "
            f"directory. Each is between its `<<<input` and `>>>end` lines.\n\n{blocks}"
        )

    def summary(self) -> list[dict[str, object]]:
        return [f.to_dict() for f in self.files]

    def over_window(self, prompt: str, model: ModelConfig, window: int, answer: int) -> str | None:
        """Why spec + inputs + the answer's room does not fit `window` tokens of `model` (and what to do), else
        None. Estimated at the model family's rate (core/tokens.py)."""
        needed = estimate(self.compose(prompt), model) + answer
        if needed <= window:
            return None
        biggest = sorted(self.files, key=lambda f: f.size, reverse=True)[:3]
        named = ", ".join(f"{f.path} ~{estimate(f.block, model)}" for f in biggest) or "none"
        return (
            f"spec and inputs need ~{needed} tokens ({answer} kept for the answer) but the model's context is "
            f"{window}; biggest inputs: {named} (name fewer or smaller files, pick a model with a larger "
            "context_window, or pass --no-inputs and paste what matters)"
        )


def gather(spec_text: str, cwd: Path, redactor: Redactor, sent: str = "") -> Inputs:
    """Read every file the spec's Inputs section names under `cwd`, refusing with a finding what may not be sent.

    `sent` is the text a resumed session already holds: a file whose block header is in it is not sent again.
    """
    root = cwd.resolve()
    inputs = Inputs(root)
    seen: set[Path] = set()
    for line, named in specs.input_paths(specs.parse(spec_text)):
        for path in _expand(root, named, line, inputs):
            if path in seen:
                continue
            seen.add(path)
            _read(root, path, named, line, inputs, redactor, sent)
    return inputs


def _expand(root: Path, named: str, line: int, inputs: Inputs) -> list[Path]:
    """The paths one named input stands for (a glob's matches, a directory's files are not taken)."""

    def refuse(rule: str, message: str, fix: str) -> list[Path]:
        inputs.findings.append(Finding(rule, Severity.ERROR, line, message, fix))
        return []

    if Path(named).is_absolute() and not _inside(root, Path(named)):
        return refuse(
            "input-outside-cwd",
            f"input '{named}' is outside {root}",
            "name paths relative to --cwd, or pass --cwd a directory that holds them",
        )
    if ".." in Path(named).parts:
        return refuse(
            "input-outside-cwd",
            f"input '{named}' climbs out of {root} with '..'",
            "name paths relative to --cwd, or pass --cwd a directory that holds them",
        )
    if specs.is_glob(named):
        relative = str(Path(named).relative_to(root)) if Path(named).is_absolute() else named
        matches = sorted(itertools.islice((p for p in root.glob(relative) if p.is_file()), MAX_FILES + 1))
        if len(matches) > MAX_FILES:
            return refuse(
                "input-too-many",
                f"input glob '{named}' matches more than {MAX_FILES} files",
                "narrow the glob to the files the task needs",
            )
        if not matches:
            inputs.missing.append(named)
        return matches
    path = root / named
    try:
        there = path.exists() or path.is_symlink()
    except OSError:  # a name the file system refuses (too long, say): lint's missing-input finding says why
        there = False
    if not there:
        inputs.missing.append(named)
        return []
    if path.is_dir():
        return refuse(
            "input-is-directory",
            f"input '{named}' is a directory",
            f"name its files, or a glob such as {named.rstrip('/')}/**/*.py",
        )
    return [path]


def _read(root: Path, path: Path, named: str, line: int, inputs: Inputs, redactor: Redactor, sent: str) -> None:
    relative = path.relative_to(root).as_posix()

    def refuse(rule: str, message: str, fix: str) -> None:
        inputs.findings.append(Finding(rule, Severity.ERROR, line, message, fix))

    if not _inside(root, path.resolve()):
        return refuse(
            "input-outside-cwd",
            f"input '{relative}' is a symlink leading out of {root}",
            "copy the file into the directory, or name the real path under --cwd",
        )

    def too_large(size: str) -> None:
        refuse(
            "input-too-large",
            f"input '{relative}' {size} (at most {MAX_FILE_BYTES})",
            "name a smaller file, paste the part that matters into the spec, or use an agent backend",
        )

    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return refuse(
                "input-not-a-file",
                f"input '{relative}' is not a regular file (a device, a pipe or a socket)",
                "name text files only",
            )
        if info.st_size > MAX_FILE_BYTES:
            return too_large(f"is {info.st_size} bytes")
        data = read_capped(path, MAX_FILE_BYTES)
    except TooLarge:
        return too_large("grew past the limit while it was read")
    except OSError as exc:
        return refuse(
            "input-unreadable", f"input '{relative}' cannot be read: {exc.strerror or exc}", "check its permissions"
        )
    if b"\0" in data[:8192]:
        return refuse("input-binary", f"input '{relative}' is a binary file", "name text files only")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return refuse("input-binary", f"input '{relative}' is not UTF-8 text", "name UTF-8 text files only")
    digest = hashlib.sha256(data).hexdigest()
    if f"<<<input {relative} ({len(data)} bytes, sha256 {digest})" in sent:
        inputs.already_sent.append(relative)
        return None
    masked = redactor.text(text)
    inputs.files.append(InputFile(relative, len(data), digest, masked, masked.count(MASK) - text.count(MASK)))
    return None


def _inside(root: Path, path: Path) -> bool:
    return path == root or root in path.parents
