"""`dispatch prune` and `dispatch rm`: a retention policy over the trail, and removing a project, from a terminal.

The work (locks, tombstones, files and index rows together) is core/audit/retention.py's; this reads the flags
and the config's `[retention]` policy, asks before `rm`, and prints one line per project.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from core.audit import retention
from core.audit.store import Project
from core.cli.audit_cmd import projects
from core.cli.output import emit_json, error_line
from core.config_rules import parse_age
from core.errors import DispatchError, ExitCode, ProjectBusy, UsageError


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    prune = commands.add_parser(
        "prune",
        parents=[common],
        help="remove old runs by a retention policy",
        description="Remove the runs that started longer ago than --older-than (or the "
        "config's [retention] older_than), keeping each project's newest "
        "--keep-last. Run files and index rows go together; a tombstone in the "
        "project's hash chain records what went, when and by whom. A running "
        "project is never touched (exit 6).",
        epilog="examples: dispatch prune --older-than 90d --dry-run; "
        "dispatch prune --older-than 2w --slug my-api --keep-last 5",
    )
    prune.add_argument("--older-than", metavar="AGE", help="an age: 90d, 12h, 2w")
    prune.add_argument("--slug", help="only this project")
    prune.add_argument("--keep-last", type=int, metavar="N", help="always keep each project's newest N runs")
    prune.add_argument("--dry-run", action="store_true", help="say what would go; remove nothing")
    prune.add_argument("--json", action="store_true", help="one JSON document: what each project lost")
    prune.set_defaults(handler=cmd_prune)

    rm = commands.add_parser(
        "rm",
        parents=[common],
        help="remove a project: runs, worktrees, index rows",
        description="Remove one project entirely. Asks first on a terminal; elsewhere needs "
        "--yes. A tombstone in the projects dir's .dispatch-tombstones/ records "
        "what went, when and by whom. Refused while the project is running.",
        epilog="example: dispatch rm --slug my-api --yes",
    )
    rm.add_argument("--slug", required=True, help="the project to remove")
    rm.add_argument("--yes", action="store_true", help="do not ask")
    rm.add_argument("--json", action="store_true", help="one JSON object: what was removed")
    rm.set_defaults(handler=cmd_rm)


def policy(args: argparse.Namespace) -> tuple[float, int]:
    """Seconds and keep-last from the flags, else the config's [retention]."""
    from core import config

    settings = config.load().retention
    age = args.older_than or settings.older_than
    if age is None:
        raise UsageError(
            "prune needs an age: --older-than 90d",
            "or set older_than under [retention] in the config (`dispatch config path`)",
        )
    seconds = parse_age(age)
    if seconds is None:
        raise UsageError(f"--older-than {age!r} is not an age", "use a whole number and h, d or w: 12h, 90d, 2w")
    keep = settings.keep_last if args.keep_last is None else args.keep_last
    if keep < 0:
        raise UsageError(f"--keep-last {keep} is below zero", "give 0 to keep nothing back, or a positive count")
    return seconds, keep


def cmd_prune(args: argparse.Namespace) -> int:
    seconds, keep = policy(args)
    removals, busy = [], []
    for project in projects(args.slug):
        try:
            removals.append(retention.prune(project, seconds, keep, args.dry_run))
        except ProjectBusy as exc:
            if args.slug:
                raise
            busy.append(exc)
            error_line(f"dispatch: skipped: {exc.message}")
    verb = "would prune" if args.dry_run else "pruned"
    if args.json:
        emit_json(
            [
                {
                    "slug": r.slug,
                    "dry_run": args.dry_run,
                    "run_ids": r.run_ids,
                    "kept_for_review": r.kept,
                    "tombstone": str(r.tombstone) if r.tombstone else None,
                }
                for r in removals
            ]
        )
    for removal in removals:
        for warning in removal.warnings:
            error_line(f"dispatch: warning: {warning}")
        if not args.json:
            kept = (
                (
                    f" (kept {len(removal.kept)} whose changes wait for `dispatch merge` or `drop`: "
                    f"{', '.join(removal.kept)})"
                )
                if removal.kept
                else ""
            )
            sys.stdout.write(
                f"{verb:<12} {removal.slug}  {len(removal.run_ids)} runs"
                + (f": {', '.join(removal.run_ids)}" if args.dry_run and removal.run_ids else "")
                + kept
                + "\n"
            )
    return ExitCode.PROJECT_BUSY if busy else ExitCode.OK


def cmd_rm(args: argparse.Namespace) -> int:
    project = Project.at(args.slug)
    if not project.exists() and not project.logs.is_dir():
        raise UsageError(f"no project '{args.slug}'", "see `dispatch list` for the projects there are")
    if not args.yes:
        confirm(project)
    removal = retention.rm(project)
    for warning in removal.warnings:
        error_line(f"dispatch: warning: {warning}")
    if args.json:
        emit_json({"slug": removal.slug, "run_ids": removal.run_ids, "tombstone": str(removal.tombstone)})
    else:
        sys.stdout.write(f"removed      {removal.slug}  {len(removal.run_ids)} runs (tombstone {removal.tombstone})\n")
    return ExitCode.OK


def confirm(project: Project) -> None:
    """Ask on the terminal; with no terminal to ask on, refuse (a script must say --yes)."""
    if not sys.stdin.isatty():
        raise UsageError(
            f"refusing to remove project '{project.slug}' without confirmation (stdin is not a terminal)",
            "pass --yes to remove it",
        )
    count = len(project.run_ids())
    sys.stderr.write(f"remove project '{project.slug}' and its {count} runs? [y/N] ")
    sys.stderr.flush()
    if sys.stdin.readline().strip().lower() not in ("y", "yes"):
        raise DispatchError(f"project '{project.slug}' was not removed", "answer y to remove it, or pass --yes")
