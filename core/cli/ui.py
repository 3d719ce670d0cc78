"""Opening the console: the only place the headless CLI touches the UI, and only when asked."""

from __future__ import annotations

from core.cli.output import error_line
from core.errors import ExitCode


def open_console() -> int:
    try:
        from tui.app import run_console
    except ImportError as exc:
        error_line(f"dispatch: the console cannot start ({exc}); use the headless commands, see `dispatch --help`")
        return int(ExitCode.USAGE)
    return run_console()
