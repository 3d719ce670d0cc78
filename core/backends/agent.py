"""What every CLI agent backend shares: find the binary, write the context file, spawn the agent in its own
process group with a chosen environment, read its framed JSON lines, and stop it cleanly.

The shape follows claude-agent-sdk's subprocess transport (find the CLI with an actionable error, build
argv, spawn, read JSON lines through a capped buffer, terminate then wait). An adapter (claude_code.py,
codex.py, gemini.py, command.py) supplies only argv, the environment keys it needs and how its events
map to ours. The CLIs retry API errors themselves, so an API failure here ends the attempt with a status
(rate_limited, error) instead of a TransientError: one retry layer, not two.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
from abc import abstractmethod
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from core import procgroup
from core import spec as specs
from core.backends.base import Backend, BackendRequest
from core.envelope import Status, Usage
from core.errors import BackendUnavailable
from core.events import BackendDone, Event, Notice, SessionStarted, TextDelta, ToolCall, UsageUpdate
from core.fsutil import atomic_write_text
from core.redact import SECRET_SUFFIXES, Redactor

MAX_LINE = 8 * 1024 * 1024
"""A longer line is dropped (and reported), never buffered without bound."""
RAW_CAP = 2_000_000
"""Characters of the agent's stdout kept for the trail."""
STDERR_CAP = 64 * 1024
"""Bytes of the tail of stderr kept."""
BASE_ENV = (
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "TMPDIR",
    "TERM",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "NODE_EXTRA_CA_CERTS",
)
"""What any agent needs to start; each adapter adds its own keys."""
PERMISSION_DEFAULT = "acceptEdits"
_RATE_LIMIT = re.compile(r"\b429\b|rate[ _-]?limit|too many requests|resource[ _]exhausted|quota", re.IGNORECASE)
_VAR = re.compile(r"\$\{(\w+)\}")
CONTEXT_BEGIN = "<!-- dispatch:begin (rewritten on every run; edit outside this block) -->"
CONTEXT_END = "<!-- dispatch:end -->"
CONTEXT_SECTIONS = ("non-goals", "output", "verification", "escalation")


def find_binary(configured: str | None, default: str, hint: str) -> str:
    """The executable to run: the configured bin (a path or a name on PATH), else `default` on PATH."""
    wanted = configured or default
    found = shutil.which(wanted)
    if found is None and os.sep in wanted and os.access(wanted, os.X_OK) and Path(wanted).is_file():
        found = wanted
    if found is None:
        where = f"'{wanted}' is not an executable file" if os.sep in wanted else f"'{wanted}' is not on PATH"
        raise BackendUnavailable(f"agent CLI not found: {where}", hint)
    return found


def child_environment(
    model_env: dict[str, str],
    names: tuple[str, ...],
    prefixes: tuple[str, ...],
    environ: dict[str, str] | os._Environ[str] | None = None,
) -> dict[str, str]:
    """Only the keys the agent needs: the basics, its own names and prefixes, then the model's `env`
    (whose values may be ${VAR} references to this process's environment)."""
    source = os.environ if environ is None else environ
    env = {k: v for k, v in source.items() if k in BASE_ENV or k in names or k.startswith(prefixes)}
    for key, value in model_env.items():
        env[key] = _VAR.sub(lambda m: source.get(m.group(1), ""), str(value))
    return env


def context_block(spec_text: str) -> str | None:
    """The spec's constraints as the agent's context file sees them, or None when the spec has none."""
    parsed = specs.parse(spec_text)
    parts = [f"## {name.title()}\n{parsed.get(name)}" for name in CONTEXT_SECTIONS if parsed.get(name)]
    if not parts:
        return None
    return (
        f"{CONTEXT_BEGIN}\n# Constraints for this task (from the dispatch spec)\n\n"
        + "\n\n".join(parts)
        + f"\n{CONTEXT_END}\n"
    )


def write_context_file(path: Path, spec_text: str) -> bool:
    """Put the spec's constraints in the agent's context file, keeping whatever else a person wrote there."""
    block = context_block(spec_text)
    if block is None:
        return False
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    start, end = old.find(CONTEXT_BEGIN), old.find(CONTEXT_END)
    if start != -1 and end > start:
        new = old[:start] + block + old[end + len(CONTEXT_END) :].lstrip("\n")
    else:
        new = block + ("\n" + old if old else "")
    atomic_write_text(path, new)
    return True


def remove_context_block(path: Path) -> None:
    """Take the spec's block out of a context file again, so a worktree's diff holds the agent's work, not ours;
    a file that held nothing else is removed."""
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    start, end = old.find(CONTEXT_BEGIN), old.find(CONTEXT_END)
    if start == -1 or end < start:
        return
    new = old[:start] + old[end + len(CONTEXT_END) :].lstrip("\n")
    if new.strip():
        atomic_write_text(path, new)
    else:
        path.unlink()


@dataclass
class Reading:
    """What an adapter has learned from the agent's output so far."""

    text: list[str] = field(default_factory=list)
    result: str | None = None
    session_id: str | None = None
    usage: Usage = field(default_factory=Usage)
    cost_usd: float | None = None
    num_turns: int = 0
    status: Status | None = None
    error: str | None = None
    reason: str | None = None
    final: dict[str, Any] | None = None
    """The agent's own last word (Claude's result event, Gemini's result), kept for the trail."""
    tools: dict[str, str] = field(default_factory=dict)
    """Tool call id -> tool name, to name tool results."""
    extras: dict[str, Any] = field(default_factory=dict)
    streamed: set[str] = field(default_factory=set)
    """Ids of messages whose text already arrived as deltas, so the whole message is not said twice."""
    not_json: list[str] = field(default_factory=list)
    """Output lines that were not JSON events (the first few hundred characters count, the text is in raw)."""

    def say(self, text: str) -> TextDelta:
        self.text.append(text)
        return TextDelta(text)

    def started(self, session_id: str | None) -> list[Event]:
        if not session_id or session_id == self.session_id:
            return []
        self.session_id = session_id
        return [SessionStarted(session_id)]

    def counted(self, input_tokens: int, output_tokens: int) -> UsageUpdate:
        self.usage = Usage(input_tokens, output_tokens)
        return UsageUpdate(input_tokens, output_tokens)

    def called(self, name: str, arguments: Any, call_id: str) -> ToolCall:
        self.tools[call_id] = name
        return ToolCall(name, arguments if isinstance(arguments, dict) else {"input": arguments}, call_id)

    def api_failure(self, message: str, reason: str = "server_error") -> None:
        """An API failure the agent reported in words: rate_limited when they say so, else error with `reason`."""
        if _RATE_LIMIT.search(message):
            self.fail(Status.RATE_LIMITED, message, "rate_limited")
        else:
            self.fail(Status.ERROR, message, reason)

    def fail(self, status: Status, error: str, reason: str) -> None:
        if self.status is None or self.status == Status.OK:
            self.status, self.error, self.reason = status, error, reason


class Stalled(Exception):
    """No output for the stall limit."""


class OutOfTime(Exception):
    """The run's timeout came first."""


class AgentProcess:
    """One running agent: framed stdout lines with a size cap, a stderr tail, and a clean stop."""

    def __init__(self, process: asyncio.subprocess.Process, redactor: Redactor) -> None:
        self.process = process
        self.redactor = redactor
        self.raw: list[str] = []
        self._raw_size = 0
        self.dropped_lines = 0
        self._stderr = bytearray()
        self._stderr_task = asyncio.ensure_future(self._drain_stderr())

    async def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        while chunk := await self.process.stderr.read(65536):
            self._stderr += chunk
            if len(self._stderr) > STDERR_CAP:
                del self._stderr[: len(self._stderr) - STDERR_CAP]

    def keep(self, line: str) -> None:
        if self._raw_size < RAW_CAP:
            piece = line[: RAW_CAP - self._raw_size]
            self.raw.append(piece)
            self._raw_size += len(piece)

    async def lines(self, stall: float, timeout: float) -> AsyncIterator[str]:
        """Each complete stdout line as text; raises Stalled after `stall` seconds with no output at all, and
        OutOfTime when `timeout` seconds have passed since the first read."""
        assert self.process.stdout is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        buffer = bytearray()
        oversize = False
        while True:
            left = deadline - loop.time()
            try:
                chunk = await asyncio.wait_for(self.process.stdout.read(65536), max(0.0, min(stall, left)))
            except TimeoutError:
                raise (Stalled() if stall < left else OutOfTime()) from None
            if not chunk:
                break
            buffer += chunk
            while (cut := buffer.find(b"\n")) != -1:
                line, buffer = bytes(buffer[:cut]), buffer[cut + 1 :]
                if oversize:
                    oversize = False
                    continue
                yield line.decode("utf-8", "replace").rstrip("\r")
            if len(buffer) > MAX_LINE:
                buffer.clear()
                oversize = True
                self.dropped_lines += 1
        if buffer and not oversize:
            yield buffer.decode("utf-8", "replace").rstrip("\r")

    async def finish(self, limit: float) -> int:
        """Wait for exit once stdout has closed; its stderr is collected by stop(), since a child the agent left
        behind may hold that pipe open."""
        code = await procgroup.wait_exit(self.process, limit)
        if code is None:
            raise Stalled()
        return code

    async def stop(self) -> None:
        await procgroup.stop(self.process)
        try:
            assert self.process.stdout is not None
            await asyncio.wait_for(self.process.stdout.read(), procgroup.GRACE)
        except TimeoutError:
            pass
        if not self._stderr_task.done():
            try:
                await asyncio.wait_for(self._stderr_task, procgroup.GRACE)
            except TimeoutError:
                self._stderr_task.cancel()

    @property
    def stderr(self) -> str:
        return self.redactor.text(bytes(self._stderr).decode("utf-8", "replace"))


class AgentBackend(Backend):
    """A CLI agent run headless in the project dir; adapters fill in the few agent-specific parts."""

    can_resume = True
    has_tools = True
    edits_files = True
    enforces_timeout = True

    default_bin: ClassVar[str]
    install_hint: ClassVar[str]
    context_file: ClassVar[str | None] = None
    env_names: ClassVar[tuple[str, ...]] = ()
    env_prefixes: ClassVar[tuple[str, ...]] = ()
    json_output: ClassVar[bool] = True

    @abstractmethod
    def argv(self, binary: str, request: BackendRequest) -> list[str]:
        """The full command line; never passed through a shell."""

    def stdin(self, request: BackendRequest) -> bytes | None:
        """What to write to the agent's stdin before closing it; None gives it /dev/null."""
        return request.prompt.encode()

    def translate(self, event: dict[str, Any], reading: Reading) -> list[Event]:
        """One JSON event from the agent as our events (and what it teaches `reading`)."""
        return []

    def text_line(self, line: str, reading: Reading) -> list[Event]:
        """A line of plain output, for agents whose output is text (the command backend)."""
        return [reading.say(line + "\n")]

    def conclude(self, reading: Reading, exit_code: int, stderr: str) -> None:
        """Settle the status once the agent has exited, if its output has not: a failed exit is an error, and
        so is a clean exit with no final event from a JSON agent (headless agents can exit 0 having done nothing)."""
        if reading.status is None:
            if exit_code == 0 and not self.json_output:
                reading.status = Status.OK
            elif exit_code == 0:
                reading.fail(
                    Status.ERROR, f"the agent exited without a result: {_tail(stderr) or 'no output'}", "bad_response"
                )
            else:
                reading.fail(Status.ERROR, f"the agent exited with status {exit_code}: {_tail(stderr)}", "agent_error")

    def _line_events(self, line: str, reading: Reading) -> list[Event]:
        """One (redacted) line of output as our events; a line that is not a JSON object is kept and reported once."""
        if not self.json_output:
            return self.text_line(line, reading)
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            event = None
        if isinstance(event, dict):
            return self.translate(event, reading)
        reading.not_json.append(line)
        if len(reading.not_json) > 1:
            return []
        return [Notice(f"the agent printed a line that is not JSON (kept in the trail): {line[:200]}", "warning")]

    def preflight(self) -> None:
        find_binary(self.model.bin, self.default_bin, self.install_hint)

    def permission(self, request: BackendRequest) -> str:
        return "plan" if request.read_only else (request.permission or PERMISSION_DEFAULT)

    async def run(self, request: BackendRequest) -> AsyncGenerator[Event, None]:
        binary = find_binary(self.model.bin, self.default_bin, self.install_hint)
        if self.context_file and not request.read_only:
            write_context_file(request.cwd / self.context_file, request.spec_text)
        argv = self.argv(binary, request)
        env = child_environment(self.model.env, self.env_names, self.env_prefixes)
        redactor = request.redactor.with_values([*_secret_values(env), self.model.api_key() or ""])
        try:
            process = await procgroup.spawn(argv, request.cwd, env, self.stdin(request))
        except OSError as exc:
            raise BackendUnavailable(f"cannot start {binary}: {exc.strerror or exc}", self.install_hint) from None
        agent = AgentProcess(process, redactor)
        reading = Reading()
        exit_code: int | None = None
        try:
            try:
                async for line in agent.lines(request.stall_timeout, request.timeout):
                    # Redacted as read: the agent may print a key it was handed (a tool running `env`, say),
                    # and only this backend knows the values in the model's env table.
                    line = redactor.text(line)
                    agent.keep(line + "\n")
                    for event in self._line_events(line, reading) if line.strip() else []:
                        yield event
                exit_code = await agent.finish(request.stall_timeout)
            except Stalled:
                reading.status, reading.reason = Status.TIMEOUT, "stalled"
                reading.error = f"stalled: the agent printed nothing for {request.stall_timeout:g} s"
            except OutOfTime:
                reading.status, reading.reason = Status.TIMEOUT, "timeout"
                reading.error = f"no result within the {request.timeout:g} s timeout; the agent was stopped"
        finally:
            await agent.stop()
        if exit_code is not None:
            if reading.not_json and reading.final is None and reading.status is None:
                reading.fail(
                    Status.ERROR,
                    f"the agent's output was not JSON events (exit status {exit_code}): {reading.not_json[0][:200]}",
                    "bad_response",
                )
            self.conclude(reading, exit_code, agent.stderr)
            if (
                self.json_output
                and reading.status == Status.OK
                and not (reading.result or "".join(reading.text)).strip()
                and not reading.tools
            ):
                reading.fail(Status.ERROR, "the agent finished without an answer or a single action", "empty_result")
        if agent.dropped_lines:
            reading.extras["dropped_lines"] = agent.dropped_lines
        if reading.not_json:
            reading.extras["non_json_lines"] = len(reading.not_json)
        raw = {
            "argv": [redactor.text(a) for a in argv],
            "exit_code": exit_code,
            "stdout": "".join(agent.raw),
            "stderr": _tail(agent.stderr, 8000),
        }
        usage = Usage(reading.usage.input_tokens, reading.usage.output_tokens)
        cost = (
            reading.cost_usd
            if reading.cost_usd is not None
            else (
                self.model.cost(usage.input_tokens, usage.output_tokens)
                if self.model.price_in or self.model.price_out
                else None
            )
        )
        yield BackendDone(
            status=reading.status or Status.ERROR,
            result=reading.result if reading.result is not None else "".join(reading.text),
            session_id=reading.session_id,
            usage=usage,
            cost_usd=cost,
            num_turns=reading.num_turns or 1,
            error=reading.error,
            reason=reading.reason,
            raw=raw,
            extras=reading.extras,
        )


def _secret_values(env: dict[str, str]) -> list[str]:
    return [v for k, v in env.items() if k.upper().endswith(SECRET_SUFFIXES) and v]


def _tail(text: str, limit: int = 500) -> str:
    text = text.strip()
    return text if len(text) <= limit else "..." + text[-limit:]
