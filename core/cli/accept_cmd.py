"""`dispatch accept`: take a run's answer although it broke its Output contract, recorded as the operator's call."""

from __future__ import annotations

import argparse
from typing import Any

from core.audit.store import Project, validate_run_id, validate_slug
from core.cli.output import emit_json, error_line
from core.contract import acceptance
from core.errors import ExitCode, UsageError


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    accept = commands.add_parser(
        "accept",
        parents=[common],
        help="accept a run whose answer broke its Output contract (recorded)",
        description="Accept a run's answer despite its failed contract checks. The record is not changed; the "
        "decision is kept in the project's accepted.jsonl and shown by `show` and `status`.",
        epilog="example: dispatch accept --slug my-task --note 'prose around the JSON is fine here'",
    )
    accept.add_argument("--slug", required=True, help="the project")
    accept.add_argument("--run", dest="run_id", metavar="RUN_ID", help="the run (default: the project's last)")
    accept.add_argument("--note", default="", help="why it is accepted")
    accept.add_argument("--json", action="store_true", help="print the decision as JSON")
    accept.set_defaults(handler=cmd_accept)


def cmd_accept(args: argparse.Namespace) -> int:
    project = Project.at(validate_slug(args.slug))
    runs = project.run_ids()
    if not runs:
        raise UsageError(f"project '{project.slug}' has no runs", "see `dispatch list` for the projects that do")
    entry = acceptance.accept(project, validate_run_id(args.run_id) if args.run_id else runs[-1], note=args.note)
    if args.json:
        emit_json(entry)
    else:
        error_line(f"dispatch: {project.slug} run {entry['run_id']} accepted despite {', '.join(entry['failed'])}")
    return int(ExitCode.OK)
