"""Opening the console, only when asked. core/ never imports the UI: the console is found through the
`dispatch_console.ui` entry point that the package declares, so core names no UI module at all."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from core.cli.output import error_line
from core.errors import ExitCode, UsageError


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    ui = commands.add_parser("ui", parents=[common], help="open the console (what `dispatch` alone does in a terminal)")
    ui.set_defaults(handler=cmd_ui)


def cmd_ui(args: argparse.Namespace) -> int:
    if args.no_ui:
        raise UsageError("`ui` opens the console, and --no-ui says not to", "drop one of them")
    return open_console()


UI_ENTRY_POINTS = "dispatch_console.ui"


def open_console() -> int:
    from importlib.metadata import entry_points

    found = entry_points(group=UI_ENTRY_POINTS, name="console")
    try:
        entry = next(iter(found))
        if not all(stream.isatty() for stream in (sys.stdin, sys.stdout, sys.stderr)):
            # Textual would draw into a pipe and wait for keys that never come.
            raise UsageError(
                "the console needs a terminal, and this has none (a pipe or a file)",
                "run it in a terminal, or use the headless commands, see `dispatch --help`",
            )
        run_console = entry.load()
    except (StopIteration, ImportError) as exc:
        why = str(exc) or "no console is installed"
        error_line(
            f"dispatch: the console cannot start ({why}); reinstall with `make run`, or use the headless "
            "commands, see `dispatch --help`"
        )
        return int(ExitCode.USAGE)
    return int(run_console())
