"""Project commands that dispatch again: resume and review, driven by `run.execute()`.

The read-only project views (status, list, search, runs, sessions) are in `core.cli.views`, which stays light.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

from core import config as configs
from core import followup
from core.cli.output import error_line, read_text_arg
from core.cli.run import add_run_options, agent_fields, execute, loop_fields
from core.cli.views import touch


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    resume = commands.add_parser(
        "resume",
        parents=[common],
        help="continue a project's last (or a chosen) session",
        description="Send a new turn in an earlier session. Chat models get the stored "
        "message history plus the new turn; agents resume their own session.",
        epilog='example: dispatch resume --slug my-api --prompt "Add pagination" --json',
    )
    resume.add_argument("--slug", required=True, help="the project")
    turn = resume.add_mutually_exclusive_group(required=True)
    turn.add_argument("--prompt", metavar="TEXT", help="the new turn")
    turn.add_argument("--spec", metavar="FILE", help="the new turn as a spec (checked like `run`); - reads stdin")
    resume.add_argument("--session", metavar="ID", help="an older session (see `dispatch sessions --slug S`)")
    resume.add_argument("--force", action="store_true", help="send a --spec despite checklist errors (recorded)")
    add_run_options(resume)
    resume.set_defaults(handler=cmd_resume)

    check = commands.add_parser(
        "review",
        parents=[common],
        help="an independent review of the project's last result",
        description="A read-only review of the last result by another configured model, "
        "recorded as a run of kind review with a verdict: pass, concerns or fail.",
        epilog="example: dispatch review --slug my-api --json",
    )
    check.add_argument("--slug", required=True, help="the project")
    add_run_options(
        check,
        permission_help="reviews are read-only (plan) unless you pass acceptEdits or bypass "
        "here; $DISPATCH_PERMISSION does not apply",
    )
    check.set_defaults(handler=cmd_review)


def cmd_resume(args: argparse.Namespace) -> int:
    project, index = touch(args.slug)
    with index:
        request = followup.resume(
            configs.load(),
            index,
            project,
            args.prompt,
            session=args.session,
            spec_text=read_text_arg(args.spec) if args.spec else "",
            model=args.model,
            tier=args.tier,
            task_type=args.task_type,
        )
    request = replace(
        request, cwd=args.cwd, wait=args.wait, force=args.force, **agent_fields(args), **loop_fields(args)
    )
    return execute(request, json_mode=args.json)


def cmd_review(args: argparse.Namespace) -> int:
    project, index = touch(args.slug)
    with index:
        request, independent = followup.review(
            configs.load(), index, project, model=args.model, tier=args.tier, task_type=args.task_type
        )
    if not independent:
        error_line(f"dispatch: warning: no other model is configured; {request.model} reviews its own result")
    # Read-only by default; an explicit --permission (not $DISPATCH_PERMISSION) lets the reviewer do more.
    request = replace(
        request,
        cwd=args.cwd,
        wait=args.wait,
        **agent_fields(args),
        **loop_fields(args),
        read_only=args.permission in (None, "plan"),
    )
    return execute(request, json_mode=args.json)
