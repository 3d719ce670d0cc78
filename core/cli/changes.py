"""`dispatch diff`, `merge` and `drop`: review an agent run's changes to your repo, then land or discard them.

A thin layer over core/changes.py: the diff goes to stdout (coloured on a terminal, plain when piped), every
outcome to stderr in one line, and --json prints the outcome as data.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from core import changes
from core.audit.store import Project
from core.cli.output import emit_json, error_line
from core.cli.views import project_command, touch
from core.errors import ExitCode
from core.worktree import MergeConflict


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    diff = _command(
        commands, common, "diff", "show an agent run's changes against the commit it started from", cmd_diff
    )
    diff.add_argument("--stat", action="store_true", help="files and +/- counts only")
    merge = _command(commands, common, "merge", "land an agent run's changes on your repo's current branch", cmd_merge)
    merge.add_argument("--squash", action="store_true", help="one new commit instead of a fast-forward or merge")
    _command(
        commands, common, "drop", "remove an agent run's worktree and branch (the patch stays in the trail)", cmd_drop
    )


def _command(
    commands: Any, common: argparse.ArgumentParser, name: str, text: str, handler: Any
) -> argparse.ArgumentParser:
    parser = project_command(commands, common, name, text, handler)
    parser.add_argument("--run", metavar="RUN_ID", help="which run (default: the project's last agent run)")
    return parser


def _project(slug: str) -> Project:
    project, index = touch(slug)
    index.close()
    return project


def cmd_diff(args: argparse.Namespace) -> int:
    project = _project(args.slug)
    shown = changes.diff(project, args.run, stat=args.stat, color=sys.stdout.isatty() and not args.json)
    if args.json:
        emit_json(shown)
        return ExitCode.OK
    sys.stdout.write(shown["text"])
    sys.stdout.flush()
    summary = shown["changes"] or {}
    if not shown["text"]:
        error_line(f"dispatch: no changes on {shown['branch']}")
    elif shown["source"] == "patch":
        error_line(f"dispatch: {shown['branch']} was dropped; this is the patch kept in the trail")
    else:
        error_line(
            f"dispatch: {shown['branch']}: {len(summary.get('files') or [])} files, "
            f"+{summary.get('insertions', 0)} -{summary.get('deletions', 0)}"
        )
    return ExitCode.OK


def cmd_merge(args: argparse.Namespace) -> int:
    project = _project(args.slug)
    try:
        outcome = changes.merge(project, args.run, squash=args.squash)
    except MergeConflict as exc:
        if args.json:
            emit_json({"merged": False, "conflicts": exc.paths, "error": exc.one_line()})
        error_line(f"dispatch: {exc.one_line()}")
        return ExitCode.RUN_FAILED
    if outcome["merged"] and outcome["verified"] is False:
        error_line(f"dispatch: warning: run {outcome['run_id']} failed its verification; what was merged did not pass")
    elif outcome["merged"] and outcome["run_status"] != "ok":
        error_line(f"dispatch: warning: run {outcome['run_id']} ended {outcome['run_status']}; check what was merged")
    if args.json:
        emit_json(outcome)
    elif outcome["merged"]:
        error_line(
            f"dispatch: merged {outcome['branch']} into {outcome['repo']} ({outcome['mode']}, now at "
            f"{outcome['commit'][:12]})"
        )
    else:
        error_line(f"dispatch: {outcome['branch']} is already in {outcome['repo']}; nothing to merge")
    return ExitCode.OK


def cmd_drop(args: argparse.Namespace) -> int:
    project = _project(args.slug)
    outcome = changes.drop(project, args.run)
    if args.json:
        emit_json(outcome)
    else:
        error_line(
            f"dispatch: {'dropped' if outcome['dropped'] else 'already gone:'} {outcome['branch']} ({outcome['path']})"
        )
    return ExitCode.OK
