"""`dispatch mcp` (the MCP server, or its config for a host) and `dispatch install|uninstall claude-code`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from core.cli.output import emit_json
from core.errors import ExitCode, UsageError

HOSTS = ("claude-code",)


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    mcp = commands.add_parser(
        "mcp",
        parents=[common],
        help="serve the dispatch tools over MCP (stdio), for agents",
        description="An MCP server on stdin/stdout: dispatch, start, status, result, cancel, "
        "resume, review, escalate, lint, diff, merge, drop, list, project, search, plus dispatch:// "
        "resources for earlier runs. Stdout carries only the protocol.",
        epilog="examples:\n  dispatch mcp                       (a host starts this)\n"
        "  dispatch mcp --print-config        JSON for any MCP host's mcpServers\n"
        "  dispatch mcp --print-config codex  TOML for ~/.codex/config.toml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    mcp.add_argument(
        "--print-config",
        nargs="?",
        const="json",
        choices=("json", "codex"),
        metavar="FORMAT",
        help="print how a host starts this server (json: mcpServers for Claude Code, Gemini CLI, "
        "Cursor...; codex: TOML) and exit",
    )
    mcp.add_argument(
        "--allow-bypass",
        action="store_true",
        help="let tool calls use permission bypass (agents do anything unasked; sandboxes only)",
    )
    mcp.add_argument(
        "--root",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="another directory tool calls may use as cwd (default: this directory and the projects "
        "directory); repeatable",
    )
    mcp.set_defaults(handler=cmd_mcp)

    for name, text in (
        ("install", "install the dispatch skill and MCP server into an agent host"),
        ("uninstall", "remove what `dispatch install` added, restoring what was there"),
    ):
        parser = commands.add_parser(
            name,
            parents=[common],
            help=text,
            description=text[0].upper() + text[1:] + ".",
            epilog=f"example: dispatch {name} claude-code --scope user",
        )
        parser.add_argument("host", choices=HOSTS, help="the agent host")
        parser.add_argument(
            "--scope",
            choices=("user", "project"),
            default="user",
            help="user: ~/.claude and ~/.claude.json (default); project: .claude/ and .mcp.json here",
        )
        parser.add_argument("--dry-run", action="store_true", help="print what would change and change nothing")
        parser.add_argument("--json", action="store_true", help="print a JSON object")
        parser.set_defaults(handler=cmd_install if name == "install" else cmd_uninstall)


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


def cmd_install(args: argparse.Namespace) -> int:
    from core.mcp import claude_code

    return _report(
        args,
        claude_code.install(claude_code.Target.of(args.scope), dry_run=args.dry_run),
        "already installed; nothing to change",
    )


def cmd_uninstall(args: argparse.Namespace) -> int:
    from core.mcp import claude_code

    return _report(
        args,
        claude_code.uninstall(claude_code.Target.of(args.scope), dry_run=args.dry_run),
        "not installed; nothing to remove",
    )


def _report(args: argparse.Namespace, changes: list[str], nothing: str) -> int:
    if args.json:
        emit_json({"host": args.host, "scope": args.scope, "dry_run": args.dry_run, "changes": changes})
    else:
        print("\n".join(changes) if changes else nothing)
    return ExitCode.OK
