"""`dispatch local status|stop`: the built-in model's server, which dispatch starts on demand and keeps running."""

from __future__ import annotations

import argparse
from typing import Any

from core.cli.output import emit_json
from core.errors import ExitCode
from core.local.server import LocalServer


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    local = commands.add_parser("local", parents=[common], help="the built-in local model's server: status | stop",
                                description="The local model runs in a llama-server that the first dispatch to it "
                                            "starts and later ones reuse. It stays up until `dispatch local stop`.")
    sub = local.add_subparsers(dest="local_command", metavar="SUBCOMMAND", required=True)
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
        print(f"running: pid {info['pid']} at {info['base_url']} since {info['started']}\n"
              f"model:   {info['model_path']} (context {info['ctx_size']} tokens)\nlog:     {info['log']}")
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
