"""`dispatch escalate`: send a run's spec one tier up (a new linked run), or hand it back to the primary."""

from __future__ import annotations

import argparse
from typing import Any

from core import config as configs
from core import escalation
from core.audit.store import Project
from core.cli.output import emit_json, error_line
from core.cli.run import execute
from core.envelope import Envelope
from core.errors import ExitCode, UsageError


def last_run_id(slug: str) -> str:
    runs = Project.at(slug).run_ids()
    if not runs:
        raise UsageError(f"project '{slug}' has no runs to escalate", "see `dispatch list` for the projects that do")
    return runs[-1]


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    esc = commands.add_parser(
        "escalate",
        parents=[common],
        help="re-dispatch a run on a higher tier, or hand it back",
        description="Escalate a run: --tier re-dispatches the same spec on that tier, linked to "
        "the original; --primary records that the work goes back to the caller.",
        epilog="examples:\n  dispatch escalate --slug my-task --tier agentic\n"
        "  dispatch escalate --slug my-task --run 20261121-220000-1-1 --primary "
        "--reason 'needs a decision'",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    esc.add_argument("--slug", required=True, help="the project")
    esc.add_argument("--run", dest="run_id", metavar="RUN_ID", help="the run to escalate (default: the project's last)")
    target = esc.add_mutually_exclusive_group(required=True)
    target.add_argument("--tier", help="the higher tier to re-dispatch on (see `dispatch tiers`)")
    target.add_argument("--primary", action="store_true", help="hand the work back to the primary")
    esc.add_argument("--reason", default="", help="why (required with --primary)")
    esc.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    esc.set_defaults(handler=cmd_escalate)


def cmd_escalate(args: argparse.Namespace) -> int:
    args.run_id = args.run_id or last_run_id(args.slug)
    if args.primary:
        decision = escalation.to_primary(args.slug, args.run_id, args.reason)
        if args.json:
            emit_json(decision.to_dict())
        else:
            error_line(f"dispatch: {args.slug} run {args.run_id} handed back to the primary: {decision.reason}")
        return int(ExitCode.OK)
    config = configs.load()
    request = escalation.to_tier(config, args.slug, args.run_id, args.tier, args.reason)

    def started(envelope: Envelope) -> None:
        """The decision is recorded once the new run exists, so it names it (none when the run was refused)."""
        escalation.record(
            args.slug,
            escalation.Escalation(
                args.run_id, args.tier, args.reason or "escalated", new_run_id=envelope.run_id or None
            ),
        )

    return execute(request, json_mode=args.json, on_end=started)
