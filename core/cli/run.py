"""`dispatch run`: send a spec to a model, stream the answer to stdout or print one JSON envelope."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Callable
from contextlib import aclosing
from dataclasses import replace
from pathlib import Path
from typing import Any

from core import config as configs
from core.cli.numbers import positive_int, positive_or_zero
from core.cli.output import emit_json, error_line, read_text_arg, visible
from core.engine import DispatchRequest, Engine
from core.envelope import Envelope, Status
from core.errors import ExitCode, UsageError
from core.events import AttemptFailed, Event, Finished, Notice, RunStarted, TextDelta, ToolCall, ToolResult
from core.fsutil import read_json


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    run = commands.add_parser(
        "run",
        parents=[common],
        help="dispatch a spec and stream or print the result",
        description="Dispatch a self-contained spec to a model. Without --json the answer "
        "streams to stdout as it arrives; with --json one envelope is printed at the end.",
        epilog="example: dispatch run --spec task.md --tier general --json",
    )
    run.add_argument("--spec", metavar="FILE", help="the spec (Markdown); - reads stdin")
    run.add_argument("--prompt", metavar="TEXT", help="extra instructions, or the whole spec when --spec is absent")
    add_run_options(run)
    run.add_argument("--slug", help="project name ([a-z0-9][a-z0-9-]{0,63}); made from the goal when absent")
    run.add_argument("--desc", help="project description")
    run.add_argument("--force", action="store_true", help="dispatch despite checklist errors (recorded)")
    run.set_defaults(handler=cmd_run)


PERMISSION_HELP = (
    "what an agent may do unasked: plan (read-only), acceptEdits (default), bypass "
    "(everything; sandboxes only); default $DISPATCH_PERMISSION"
)


def add_run_options(parser: argparse.ArgumentParser, permission_help: str = PERMISSION_HELP) -> None:
    """Options every dispatching command shares (run, resume, review)."""
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--model", help="a model name from `dispatch models`")
    choice.add_argument("--tier", help="a tier from `dispatch tiers`")
    choice.add_argument("--task-type", help="agentic-coding, bulk-coding, general, ...")
    parser.add_argument(
        "--cwd",
        type=Path,
        help="directory that input paths are relative to (default: here); an "
        "agent gets a git worktree of the repo it is in",
    )
    parser.add_argument(
        "--no-inputs",
        action="store_true",
        help="do not send a stateless model the files the spec's Inputs section names",
    )
    parser.add_argument(
        "--in-place", action="store_true", help="an agent works in --cwd itself, not in a git worktree of it (recorded)"
    )
    parser.add_argument("--base", metavar="REF", help="the commit an agent's worktree branches from (default HEAD)")
    parser.add_argument("--timeout", type=float, metavar="SEC", help="give up after SEC seconds (default 600)")
    parser.add_argument("--wait", type=float, default=0.0, metavar="SEC", help="wait up to SEC for a busy project")
    parser.add_argument("--permission", choices=configs.PERMISSIONS, help=permission_help)
    parser.add_argument(
        "--stall",
        type=float,
        default=300.0,
        metavar="SEC",
        help="stop an agent that prints nothing for SEC seconds (default 300)",
    )
    parser.add_argument(
        "--verify",
        metavar="CMD",
        help="after an ok run, run CMD in the project dir; failure makes the run an error "
        "(default: a `Run: CMD` line or shell block in the spec's Verification section)",
    )
    parser.add_argument(
        "--contract-retries",
        type=positive_or_zero,
        metavar="N",
        help="re-ask the same session up to N times when the answer breaks the spec's Output contract, with the "
        "failed checks listed (default 0; config defaults.contract_retries)",
    )
    parser.add_argument(
        "--no-contract",
        action="store_true",
        help="do not check the answer against the Output contract (a failed check otherwise makes the run an error)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON envelope on stdout at the end")
    parser.add_argument(
        "--mode",
        choices=("chat", "web"),
        default="chat",
        help="web: research the live web with a tool-calling model, citing only fetched URLs",
    )
    parser.add_argument(
        "--max-steps",
        type=positive_int,
        metavar="N",
        help="web mode (default 8) and Claude Code (--max-turns): at most N model turns",
    )
    parser.add_argument("--max-fetches", type=positive_or_zero, metavar="N", help="web mode: at most N page fetches")
    parser.add_argument(
        "--token-budget",
        type=positive_int,
        metavar="N",
        help="web mode: tokens (in + out) to spend before the last turn",
    )


def loop_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The DispatchRequest fields that add_run_options' mode and budget flags set."""
    return {
        "mode": args.mode,
        "max_steps": args.max_steps,
        "max_fetches": args.max_fetches,
        "token_budget": args.token_budget,
    }


def run_option_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The DispatchRequest fields that add_run_options' flags set, for every command that takes them."""
    return {
        "model": args.model,
        "tier": args.tier,
        "task_type": args.task_type,
        "cwd": args.cwd,
        "wait": args.wait,
        **agent_fields(args),
        **loop_fields(args),
    }


def agent_fields(args: argparse.Namespace) -> dict[str, Any]:
    """--timeout, --permission, --stall, --verify and the input, workdir and contract flags as DispatchRequest
    fields, checked (and --wait); resume and review apply them to the request they build."""
    if args.stall is not None and not args.stall > 0:
        raise UsageError(f"--stall {args.stall:g} must be a positive number of seconds", "e.g. --stall 300")
    if args.timeout is not None and not args.timeout > 0:
        raise UsageError(f"--timeout {args.timeout:g} must be a positive number of seconds", "e.g. --timeout 600")
    if args.contract_retries is not None and args.contract_retries > configs.MAX_CONTRACT_RETRIES:
        raise UsageError(
            f"--contract-retries {args.contract_retries} is more than {configs.MAX_CONTRACT_RETRIES}",
            f"give 0 to {configs.MAX_CONTRACT_RETRIES}; past a few tries a model does not start keeping the contract",
        )
    if not args.wait >= 0:
        raise UsageError(f"--wait {args.wait:g} must be zero or a positive number of seconds", "e.g. --wait 60")
    return {
        "timeout": args.timeout,
        "permission": args.permission,
        "stall_timeout": args.stall,
        "verify": args.verify,
        "inline_inputs": not args.no_inputs,
        "in_place": args.in_place,
        "base": args.base,
        "contract": not args.no_contract,
        "contract_retries": args.contract_retries,
    }


def cmd_run(args: argparse.Namespace) -> int:
    if not args.spec and not args.prompt:
        raise UsageError("nothing to dispatch", "pass --spec FILE (or - for stdin), or --prompt TEXT")
    spec_text = read_text_arg(args.spec) if args.spec else ""
    if args.cwd is not None and not args.cwd.is_dir():
        raise UsageError(f"--cwd {args.cwd} is not a directory", "pass an existing directory")
    request = DispatchRequest(
        spec_text=spec_text,
        prompt=args.prompt,
        slug=args.slug,
        description=args.desc,
        force=args.force,
        **run_option_fields(args),
    )
    return execute(request, json_mode=args.json)


def execute(
    request: DispatchRequest,
    json_mode: bool,
    engine: Engine | None = None,
    on_end: Callable[[Envelope], None] | None = None,
) -> int:
    """Run a dispatch to its end with signals handled; shared by run, resume, review and escalate. `on_end` sees
    the final envelope (escalate records the new run's id with it)."""
    engine = engine or Engine(configs.load())
    renderer = Renderer(json_mode)
    try:
        envelope: Envelope | None = asyncio.run(_drive(engine, replace(request, sole_run=True), renderer))
    except (KeyboardInterrupt, asyncio.CancelledError):
        envelope = renderer.interrupted_envelope()
    if envelope is None:
        error_line("dispatch: interrupted before the run started")
        return int(ExitCode.INTERRUPTED)
    if on_end is not None:
        on_end(envelope)
    renderer.finish(envelope)
    return int(envelope.exit_code)


async def _drive(engine: Engine, request: DispatchRequest, renderer: Renderer) -> Envelope:
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    if task is not None:
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
    envelope: Envelope | None = None
    async with aclosing(engine.dispatch(request)) as events:
        async for event in events:
            try:
                renderer.show(event)
            except BrokenPipeError:
                # Nobody reads the answer any more (`| head -c 100`): stop the run; closing the stream records it.
                renderer.output_closed()
                break
            if isinstance(event, Finished):
                envelope = event.envelope
    if envelope is None:
        envelope = renderer.interrupted_envelope()
    assert envelope is not None
    return envelope


class Renderer:
    """Turns engine events into terminal output: answer text on stdout, everything else on stderr."""

    def __init__(self, json_mode: bool) -> None:
        self.json_mode = json_mode
        self.audit_path: str | None = None
        self._ended_with_newline = True
        self._noticed: set[str] = set()
        """Notice texts already printed, so the closing line does not repeat one."""
        self._closed = False
        self._terminal = sys.stdout.isatty()

    def show(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self.audit_path = event.audit_path
            error_line(
                f"dispatch: {event.slug} -> {event.model} ({event.backend}"
                f"{', tier ' + event.tier if event.tier else ''}) run {event.run_id}"
            )
        elif isinstance(event, TextDelta) and not self.json_mode:
            # On a terminal the answer is read, so its control characters are shown, not obeyed; a pipe gets it as sent.
            sys.stdout.write(visible(event.text) if self._terminal else event.text)
            sys.stdout.flush()
            self._ended_with_newline = event.text.endswith("\n")
        elif isinstance(event, AttemptFailed):
            then = (
                f"; retrying {event.next_model} in {event.retry_in:.1f} s"
                if event.next_model and event.retry_in is not None
                else ""
            )
            error_line(f"dispatch: attempt {event.number} on {event.model} failed: {event.error}{then}")
        elif isinstance(event, Notice):
            self._noticed.add(event.message)
            error_line(f"dispatch: {event.level}: {event.message}")
        elif isinstance(event, ToolCall):
            error_line(f"dispatch: tool {event.name} {_brief(event.arguments)}")
        elif isinstance(event, ToolResult) and event.is_error:
            error_line(
                f"dispatch: tool {event.name}: {event.output.splitlines()[0][:160] if event.output else 'failed'}"
            )

    def output_closed(self) -> None:
        """Stdout went away: point it at /dev/null so nothing else fails on it, and say so once on stderr."""
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        self.json_mode, self._ended_with_newline = True, True
        self._closed = True
        error_line("dispatch: stdout was closed; the run was stopped and recorded as interrupted")

    def interrupted_envelope(self) -> Envelope | None:
        if not self.audit_path:
            return None
        try:
            return Envelope.from_dict(read_json(Path(self.audit_path)))
        except (OSError, ValueError):
            return None

    def finish(self, envelope: Envelope) -> None:
        if self._closed:
            return
        if self.json_mode:
            emit_json(envelope.to_dict())
        elif not self._ended_with_newline:
            sys.stdout.write("\n")
            sys.stdout.flush()
        if envelope.status == Status.REJECTED:
            for finding in envelope.findings:
                error_line(
                    f"spec:{finding['line']}: {finding['severity']} {finding['rule']}: "
                    f"{finding['message']} — {finding['fix']}"
                )
        if envelope.status != Status.OK:
            said = envelope.error in self._noticed
            error_line(
                f"dispatch: {envelope.status}: {'' if said else envelope.error or ''}".rstrip(": ")
                + (f" ({envelope.reason})" if envelope.reason and (said or not envelope.error) else "")
            )
        else:
            cost = f", ${envelope.cost_usd:.6f}" if envelope.cost_usd else ""
            error_line(
                f"dispatch: ok in {envelope.duration_ms / 1000:.1f} s, "
                f"{envelope.usage.input_tokens}+{envelope.usage.output_tokens} tokens{cost}; "
                f"record {envelope.audit_path}"
            )
            if envelope.reason == "max_tokens":
                error_line(
                    f"dispatch: the answer stopped at model {envelope.model}'s token limit, so it may be cut short: "
                    "raise max_tokens for that model in config.toml"
                )


def _brief(arguments: dict[str, Any]) -> str:
    text = " ".join(f"{k}={v!r}" for k, v in arguments.items())
    return text if len(text) <= 120 else text[:117] + "..."
