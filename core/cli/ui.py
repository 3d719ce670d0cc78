"""Opening the console: the only place the headless CLI touches the UI, and only when asked."""

from __future__ import annotations

import argparse
from typing import Any

from core.cli.output import error_line
from core.errors import ExitCode


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    ui = commands.add_parser("ui", parents=[common], help="open the console (what `dispatch` alone does in a terminal)")
    ui.set_defaults(handler=lambda args: open_console())


def open_console() -> int:
    try:
        from tui.app import run_console
    except ImportError as exc:
        error_line(f"dispatch: the console cannot start ({exc}); use the headless commands, see `dispatch --help`")
        return int(ExitCode.USAGE)
    return run_console()
