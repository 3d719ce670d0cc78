"""Run the check a dispatch promised after it finishes, and record what it said; never resubmit on failure.

The command comes from `--verify CMD`, else from the spec's Verification section, which names one by either
    Run: pytest -q                      (a line starting with `Run:`, backticks optional)
or a fenced block tagged sh, bash, shell or console (one command per line; `$ ` prompts and # comments are
ignored). Each command is split with shlex and run without a shell, in the project dir, in its own process
group, under a timeout; the first failure stops the rest.
"""

from __future__ import annotations

import asyncio
import re
import shlex
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from core import procgroup
from core import spec as specs

TIMEOUT = 600.0
OUTPUT_TAIL = 4000
_RUN_LINE = re.compile(r"^\s*(?:[-*]\s+)?run:\s*`?(?P<cmd>[^`]+?)`?\s*$", re.IGNORECASE)
_FENCE = re.compile(r"^\s*(```|~~~)\s*(?P<lang>[\w-]*)\s*$")
_SHELL_LANGS = {"sh", "bash", "shell", "console", "zsh"}


def commands_from_spec(spec_text: str) -> list[str]:
    """The verification commands a spec names, in order (empty when it names none)."""
    body = specs.parse(spec_text).get("verification")
    commands: list[str] = []
    fence: str | None = None
    for line in body.splitlines():
        if match := _FENCE.match(line):
            if fence is None:
                fence = match["lang"].lower()
                continue
            if fence in _SHELL_LANGS:
                return commands
            fence = None
            continue
        if fence is None:
            if match := _RUN_LINE.match(line):
                return [match["cmd"].strip()]
        elif fence in _SHELL_LANGS:
            command = line.strip().removeprefix("$ ").strip()
            if command and not command.startswith("#"):
                commands.append(command)
    return commands if fence in _SHELL_LANGS else []


@dataclass
class VerifyResult:
    command: str
    exit_code: int | None
    """None when it could not start or was stopped at the timeout."""
    output_tail: str
    duration_ms: int
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.exit_code == 0

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "passed": self.passed}


async def run_one(command: str, cwd: Path, env: dict[str, str], timeout: float = TIMEOUT) -> VerifyResult:
    began = time.monotonic()

    def result(code: int | None, output: str, error: str | None = None) -> VerifyResult:
        return VerifyResult(command, code, output[-OUTPUT_TAIL:], int((time.monotonic() - began) * 1000), error)

    try:
        argv = shlex.split(command)
    except ValueError as exc:
        return result(None, "", f"cannot parse the command: {exc}")
    if not argv:
        return result(None, "", "the command is empty")
    try:
        process = await procgroup.spawn(argv, cwd, env, None)
    except OSError as exc:
        return result(None, "", f"cannot start {argv[0]}: {exc.strerror or exc}")
    chunks: list[bytes] = []

    async def collect(stream: asyncio.StreamReader | None) -> None:
        while stream is not None and (chunk := await stream.read(65536)):
            chunks.append(chunk)
            while sum(map(len, chunks)) > 4 * OUTPUT_TAIL and len(chunks) > 1:
                chunks.pop(0)

    readers = asyncio.gather(collect(process.stdout), collect(process.stderr))
    try:
        code = await procgroup.wait_exit(process, timeout)
    finally:
        await procgroup.stop(process)
        try:
            await asyncio.wait_for(readers, procgroup.GRACE)
        except TimeoutError:
            pass
    error = None if code is not None else f"still running after {timeout:g} s; stopped"
    return result(code, b"".join(chunks).decode("utf-8", "replace"), error)


async def run_all(commands: list[str], cwd: Path, env: dict[str, str], timeout: float = TIMEOUT) -> list[VerifyResult]:
    results: list[VerifyResult] = []
    for command in commands:
        results.append(await run_one(command, cwd, env, timeout))
        if not results[-1].passed:
            break
    return results
