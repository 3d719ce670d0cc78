"""The headless front door: `dispatch COMMAND ...`. Stdout carries only data, stderr diagnostics,
and every failure ends in one line and a named exit code. Never imports textual unless the console is asked for.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Sequence

from core import __version__
from core.cli.output import emit_json, error_line
from core.envelope import Envelope, Status
from core.errors import EXIT_CODE_MEANINGS, DispatchError, ExitCode, SpecRejected, UsageError
from core.user_text import is_utf8

COMMANDS = {
    "run": "core.cli.run",
    **dict.fromkeys(("resume", "review"), "core.cli.projects"),
    **dict.fromkeys(("status", "list", "search", "runs", "sessions", "reindex"), "core.cli.views"),
    **dict.fromkeys(("lint", "spec"), "core.cli.spec_cmds"),
    **dict.fromkeys(("config", "models", "tiers"), "core.cli.config_cmds"),
    "local": "core.cli.local",
    "show": "core.cli.show",
    "audit": "core.cli.audit_cmd",
    "export": "core.cli.export_cmd",
    **dict.fromkeys(("prune", "rm"), "core.cli.retention_cmd"),
    "completion": "core.cli.completion",
    "escalate": "core.cli.escalate_cmd",
    "accept": "core.cli.accept_cmd",
    **dict.fromkeys(("batch", "costs"), "core.cli.batch_cmd"),
    **dict.fromkeys(("diff", "merge", "drop"), "core.cli.changes"),
    "ui": "core.cli.ui",
    **dict.fromkeys(("mcp", "install", "uninstall"), "core.cli.mcp_cmd"),
}
"""Which module registers each command, so a command imports only its own module (startup time is the
headless run's largest cost); help and unknown commands load them all."""
COMMAND_MODULES = tuple(dict.fromkeys(COMMANDS.values()))

EXAMPLES = """examples:
  dispatch spec new > task.md                      start from the checklist template
  dispatch lint --spec task.md                     check a spec before sending it
  dispatch run --spec task.md --tier general       dispatch and stream the answer
  dispatch --no-ui run --spec task.md --json       one JSON envelope on stdout, for agents
  echo "Goal: ..." | dispatch run --spec - --json  a spec on stdin
  dispatch resume --slug S --prompt "..."          continue that project's session
  dispatch review --slug S                         another model's verdict on the last result
  dispatch status --slug S                         last run, totals, review verdict
  dispatch diff --slug S; dispatch merge --slug S  review an agent's changes, then land (or drop) them
  dispatch search "words" --since 2026-11-01       full text over every run, ranked
  dispatch show --slug S --last                    one run in full: route, spec, inputs, answer, events
  dispatch audit verify                            prove no record was edited, removed or reordered
  dispatch export --slug S --format tar -o S.tar   a project's runs to hand over, with a manifest of hashes
  dispatch prune --older-than 90d --dry-run        a retention policy (or [retention] in the config)
  dispatch batch specs/*.md -j 16 --max-cost 2     many dispatches in one process
  dispatch install claude-code                     the skill and the MCP server (`dispatch mcp`) into Claude Code
"""


def exit_code_help() -> str:
    return "exit codes:\n" + "\n".join(f"  {int(code):<4} {text}" for code, text in EXIT_CODE_MEANINGS.items())


class Parser(argparse.ArgumentParser):
    """argparse that fails with one line and exit 2, the tool's usage code."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message, f"see `{self.prog} --help`")


def build_parser(argv: Sequence[str] = ()) -> Parser:
    common = Parser(add_help=False)
    common.add_argument("--no-ui", action="store_true", help="never open the console (accepted by every command)")
    parser = Parser(
        prog="dispatch",
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Hand bounded, self-contained tasks to other models and get reviewable results back.",
        epilog=EXAMPLES + "\n" + exit_code_help(),
    )
    parser.add_argument("--version", action="version", version=f"dispatch-console {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    chosen = next((arg for arg in argv if not arg.startswith("-")), None)
    for name in (COMMANDS[chosen],) if chosen in COMMANDS else COMMAND_MODULES:
        importlib.import_module(name).register(commands, common)
    return parser


def _parsed(parser: Parser, argv: list[str]) -> argparse.Namespace:
    """The arguments; when a required one is missing and a word that starts with one dash stands where it would go
    ('dispatch search -start'), the error says that word was read as an option and how to pass it as a value."""
    try:
        return parser.parse_args(argv)
    except UsageError as error:
        word = next((arg for arg in argv if _DASHED_WORD.match(arg)), None)
        if word is None or "arguments are required" not in error.message:
            raise
        command = next((arg for arg in argv if not arg.startswith("-")), "COMMAND")
        raise UsageError(
            f"{error.message}; '{word}' was read as an option",
            f"to pass it as a value, put -- before it: `dispatch {command} -- {word}`",
        ) from None


_DASHED_WORD = re.compile(r"-[^-\d]\w+")
"""One dash and a word ('-start'), not a short option ('-j') nor a negative number."""


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = None
    try:
        if undecodable := [arg for arg in argv if not is_utf8(arg)]:
            shown = undecodable[0].encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            raise UsageError(
                f"argument {shown!r} is not UTF-8 text",
                "pass text and paths as UTF-8; the run files and the index keep only UTF-8",
            )
        parser = build_parser(argv)
        args = _parsed(parser, argv)
        if args.command is None:
            if sys.stdout.isatty() and sys.stdin.isatty() and not args.no_ui:
                from core.cli.ui import open_console

                return open_console()
            parser.print_help()
            return ExitCode.OK
        return int(args.handler(args))
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return int(ExitCode.OK)
    except (DispatchError, OSError) as exc:
        failure = exc if isinstance(exc, DispatchError) else os_failure(exc)
        from core.redact import Redactor  # here, not at the top: only a failure pays for compiling the patterns

        line = Redactor.from_environment().text(failure.one_line())
        error_line(f"dispatch: {line}")
        if "--json" in argv:
            emit_json(refusal_envelope(failure, getattr(args, "slug", None), line))
        return int(failure.exit_code)
    except KeyboardInterrupt:
        error_line("dispatch: interrupted")
        return int(ExitCode.INTERRUPTED)


def os_failure(exc: OSError) -> DispatchError:
    """A file-system failure no command foresaw (a read-only or missing directory, a full disk) as one line, not
    a traceback: what failed on which path, and where the paths come from. An atomic write's temp file is named as
    the file it was to replace: that is the path the user knows, and the temp file is gone."""
    from core.fsutil import TEMP_MARK

    where = f": {str(exc.filename).split(TEMP_MARK)[0]}" if exc.filename else ""
    return DispatchError(
        f"{exc.strerror or exc}{where}",
        "check that the path exists and is writable; DISPATCH_HOME and DISPATCH_PROJECTS_DIR move it",
    )


def refusal_envelope(exc: DispatchError, slug: str | None, error: str | None = None) -> dict[str, object]:
    """The one JSON object --json promises, for a command refused before any run started: nothing was recorded.
    `error` is the line already shown (redacted); else the error's own line, redacted here."""
    if error is None:
        from core.redact import Redactor

        error = Redactor.from_environment().text(exc.one_line())
    status = Status.REJECTED if isinstance(exc, SpecRejected) else Status.ERROR
    return Envelope(run_id="", slug=slug or "", status=status, error=error, reason=exc.reason).to_dict()


def run() -> None:
    reopen_closed_stdio()
    raise SystemExit(main())


def reopen_closed_stdio() -> None:
    """Put /dev/null on any of fds 0-2 the caller closed (`dispatch ... <&- >&-`), as daemons do: else Python has
    no sys.stdin or sys.stdout (a traceback at the first read or write), and the next file opened (a lock, the
    index) takes the free number, so a child started later would write its stdout into it."""
    for fd, name in enumerate(("stdin", "stdout", "stderr")):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
            setattr(sys, name, open(fd, "r" if fd == 0 else "w", encoding="utf-8", closefd=False))  # noqa: SIM115
