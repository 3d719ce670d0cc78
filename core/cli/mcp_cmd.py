"""`dispatch mcp`: the MCP server, or its config for a host."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from core.errors import ExitCode, UsageError


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    mcp = commands.add_parser("mcp", parents=[common], help="serve the dispatch tools over MCP (stdio), for agents",
                              description="An MCP server on stdin/stdout: dispatch, start, status, result, cancel, "
                                          "resume, review, escalate, lint, list, project, search, plus dispatch:// "
                                          "resources for earlier runs. Stdout carries only the protocol.",
                              epilog="examples:\n  dispatch mcp                       (a host starts this)\n"
                                     "  dispatch mcp --print-config        JSON for any MCP host's mcpServers\n"
                                     "  dispatch mcp --print-config codex  TOML for ~/.codex/config.toml",
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    mcp.add_argument("--print-config", nargs="?", const="json", choices=("json", "codex"), metavar="FORMAT",
                     help="print how a host starts this server (json: mcpServers for Claude Code, Gemini CLI, "
                          "Cursor...; codex: TOML) and exit")
    mcp.add_argument("--allow-bypass", action="store_true",
                     help="let tool calls use permission bypass (agents do anything unasked; sandboxes only)")
    mcp.add_argument("--root", action="append", type=Path, default=[], metavar="DIR",
                     help="another directory tool calls may use as cwd (default: this directory and the projects "
                          "directory); repeatable")
    mcp.set_defaults(handler=cmd_mcp)


def cmd_mcp(args: argparse.Namespace) -> int:
    if args.print_config:
        from core.mcp.launch import launch

        print(launch(["--allow-bypass"] if args.allow_bypass else []).print_config(args.print_config), end="")
        return ExitCode.OK
    from core.mcp.arguments import Roots
    from core.mcp.server import run

    for root in args.root:
        if not root.is_dir():
            raise UsageError(f"--root {root} is not a directory", "pass an existing directory")
    return run(Roots(Path.cwd(), list(args.root), allow_bypass=args.allow_bypass))
