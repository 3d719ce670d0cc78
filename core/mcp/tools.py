"""The MCP tools: each a JSON schema, a description an agent can act on, and a thin handler over the functions the
CLI's commands use, so both doors build the same requests and read the same trail.

A handler returns data (the envelope for runs). A call that did nothing is a tool error: DispatchError (bad
arguments, a busy project, no usable backend) carries the CLI's refusal envelope, Refused its own data (a refused
spec's envelope with its findings, a merge conflict's paths). A run that ran and failed is an ordinary result whose
`status`, `reason` and `error` say so.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

from core import changes, escalation, followup
from core import config as configs
from core import spec as specs
from core.audit.index import SORTS
from core.audit.store import Project
from core.batch.manifest import Item
from core.batch.runner import Batch, Options
from core.cli.escalate_cmd import last_run_id
from core.cli.spec_cmds import contract_of, lint_findings
from core.cli.views import list_projects, project_status, search_runs, touch
from core.engine import DispatchRequest
from core.envelope import Envelope
from core.errors import ExitCode, UsageError
from core.mcp.arguments import (
    BATCH,
    CHOICE,
    LIMIT,
    NEW_RUN,
    RUN_OPTIONS,
    RUN_OR_SLUG,
    SPEC,
    WAIT,
    Roots,
    amount,
    check,
    run_fields,
    schema,
    status_names,
)
from core.mcp.runs import LiveRun, Report, Runs, check_run_id, envelope_data
from core.worktree import MergeConflict

DEFAULT_WAIT = 300.0
"""Seconds `dispatch` (and resume, review, escalate) block before answering with the run id and progress."""


class Refused(Exception):
    """A call that did nothing (a refused spec, a merge conflict), answered as a tool error with its data."""

    def __init__(self, data: dict[str, Any], line: str) -> None:
        super().__init__(line)
        self.data = data
        self.line = line


@dataclass
class Door:
    """What every handler needs: the live runs and where calls may reach."""

    runs: Runs
    roots: Roots


Handler = Callable[[Door, dict[str, Any], Report], Awaitable[Any]]


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    input_schema: dict[str, Any]
    handler: Handler


async def _launch(
    door: Door,
    request: DispatchRequest,
    arguments: dict[str, Any],
    report: Report,
    wait: float | None = None,
    on_end: Callable[[str | None], None] | None = None,
) -> dict[str, Any]:
    """Start a run and wait for it up to wait_seconds; a refused spec comes back as its envelope with findings.
    `on_end` hears the run's id once it has ended and let go of its project (None when the spec was refused)."""
    started = await door.runs.start(request, on_end)
    if isinstance(started, Envelope):
        raise Refused(envelope_data(started), f"dispatch: {started.status}: {started.error}")
    seconds = arguments.get("wait_seconds", DEFAULT_WAIT) if wait is None else wait
    return await door.runs.wait(started.run_id, started.slug, seconds, report)


def _new_run(door: Door, arguments: dict[str, Any]) -> DispatchRequest:
    fields = run_fields(arguments, door.roots)
    spec_text = door.roots.spec_text(arguments, fields["cwd"])
    if not spec_text.strip() and not arguments.get("prompt"):
        raise UsageError("nothing to dispatch", "pass spec (or spec_path), or prompt")
    return DispatchRequest(
        spec_text=spec_text,
        prompt=arguments.get("prompt"),
        slug=arguments.get("slug"),
        description=arguments.get("description"),
        force=bool(arguments.get("force")),
        **fields,
    )


async def dispatch(door: Door, arguments: dict[str, Any], report: Report) -> Any:
    return await _launch(door, _new_run(door, arguments), arguments, report)


async def start(door: Door, arguments: dict[str, Any], report: Report) -> Any:
    return await _launch(door, _new_run(door, arguments), arguments, report, wait=0.0)


def _run_of(door: Door, arguments: dict[str, Any]) -> tuple[str, str | None]:
    if arguments.get("run_id"):
        return check_run_id(arguments["run_id"]), arguments.get("slug")
    if arguments.get("slug"):
        return door.runs.latest(arguments["slug"]), arguments["slug"]
    raise UsageError("give run_id or slug", "the run id comes from dispatch or start; slug means its newest run")


async def status(door: Door, arguments: dict[str, Any], report: Report) -> Any:
    run_id, slug = _run_of(door, arguments)
    live: LiveRun | None = door.runs.live.get(run_id)
    if live is not None:
        return live.running()
    return await door.runs.wait(run_id, slug, 0.0)


async def result(door: Door, arguments: dict[str, Any], report: Report) -> Any:
    run_id, slug = _run_of(door, arguments)
    return await door.runs.wait(run_id, slug, arguments.get("wait_seconds", 0.0), report)


async def cancel(door: Door, arguments: dict[str, Any], report: Report) -> Any:
    run_id, slug = _run_of(door, arguments)
    return await door.runs.cancel(run_id, slug)


async def resume(door: Door, arguments: dict[str, Any], report: Report) -> Any:
    project, index = touch(arguments["slug"])
    fields = run_fields(arguments, door.roots)
    spec_text = door.roots.spec_text(arguments, fields["cwd"])
    with index:
        request = followup.resume(
            configs.load(),
            index,
            project,
            arguments.get("prompt"),
            session=arguments.get("session"),
            spec_text=spec_text,
            model=fields["model"],
            tier=fields["tier"],
            task_type=fields["task_type"],
        )
    request = replace(request, force=bool(arguments.get("force")), **_kept(fields))
    return await _launch(door, request, arguments, report)


def _kept(fields: dict[str, Any]) -> dict[str, Any]:
    """Run option fields a follow-up takes from the call (the rest its builder already chose)."""
    return {k: v for k, v in fields.items() if k not in ("model", "tier", "task_type")}


async def review(door: Door, arguments: dict[str, Any], report: Report) -> Any:
    project, index = touch(arguments["slug"])
    fields = run_fields(arguments, door.roots)
    with index:
        run_id = check_run_id(arguments["run_id"]) if arguments.get("run_id") else None
        request, independent = followup.review(
            configs.load(),
            index,
            project,
            run_id=run_id,
            model=fields["model"],
            tier=fields["tier"],
            task_type=fields["task_type"],
        )
    request = replace(request, **_kept(fields), read_only=fields["permission"] in (None, "plan"))
    data = await _launch(door, request, arguments, report)
    if not independent:
        data["warning"] = f"no other model is configured; {request.model} reviewed its own result"
    return data


async def escalate(door: Door, arguments: dict[str, Any], report: Report) -> Any:
    slug = arguments["slug"]
    run_id = check_run_id(arguments["run_id"]) if arguments.get("run_id") else last_run_id(slug)
    if bool(arguments.get("primary")) == bool(arguments.get("tier")):
        raise UsageError(
            "give tier (re-dispatch one tier up) or primary: true (hand it back), not both or neither",
            "see `dispatch tiers` for the tiers",
        )
    if arguments.get("primary"):
        return escalation.to_primary(slug, run_id, arguments.get("reason") or "").to_dict()
    request = escalation.to_tier(configs.load(), slug, run_id, arguments["tier"], arguments.get("reason") or "")

    def ended(new_run_id: str | None) -> None:
        """The decision is recorded once the new run has ended, so it names it, as the CLI's escalate does."""
        escalation.record(
            slug,
            escalation.Escalation(
                run_id, arguments["tier"], arguments.get("reason") or "escalated", new_run_id=new_run_id
            ),
        )

    return await _launch(door, request, arguments, report, on_end=ended)


async def batch(door: Door, arguments: dict[str, Any], report: Report) -> Any:
    if bool(arguments.get("items")) == bool(arguments.get("resume")):
        raise UsageError(
            "give items (the dispatches to run) or resume (a batch id), not both or neither",
            "each item is a spec or spec_path, with optional prompt, slug, model, tier or task_type",
        )
    cwd = door.roots.cwd(arguments.get("cwd"))
    door.roots.permission({})
    options = Options(
        concurrency=arguments.get("concurrency", 8),
        agents=arguments.get("agents", 2),
        max_cost=amount(arguments, "max_cost"),
        skip_rejected=bool(arguments.get("skip_rejected")),
        timeout=arguments.get("timeout"),
        cwd=cwd,
    )
    if arguments.get("resume"):
        planned = Batch.resume(configs.load(), arguments["resume"], options)
    else:
        items = [
            Item(
                number,
                f"items[{number - 1}]",
                spec_text=door.roots.spec_text(given, cwd),
                prompt=given.get("prompt"),
                slug=given.get("slug"),
                model=given.get("model"),
                tier=given.get("tier"),
                task_type=given.get("task_type"),
            )
            for number, given in enumerate(arguments["items"], 1)
        ]
        planned = Batch.plan(configs.load(), items, options)
    if planned.rejected and not planned.options.skip_rejected:
        if planned.trail is not None:
            planned.trail.release()
        line = (
            f"{len(planned.rejected)} of {len(planned.views)} items rejected; nothing was sent (fix them, or "
            "pass skip_rejected: true to run the rest)"
        )
        raise Refused(
            {
                "status": "rejected",
                "reason": "rejected",
                "error": line,
                "exit_code": int(ExitCode.SPEC_REJECTED),
                "rejected": [view.outcome() for view in planned.rejected],
            },
            f"dispatch: {line}",
        )
    return await door.runs.run_batch(planned, report)


async def lint(door: Door, arguments: dict[str, Any], report: Report) -> Any:
    cwd = door.roots.cwd(arguments.get("cwd")) or door.roots.server_cwd.resolve()
    text = door.roots.spec_text(arguments, cwd)
    if not text.strip():
        raise UsageError("nothing to check", "pass spec (the text) or spec_path")
    findings, inputs = lint_findings(
        text, cwd, model=arguments.get("model"), tier=arguments.get("tier"), mode=arguments.get("mode") or "chat"
    )
    enforced = contract_of(text, cwd)
    return {
        "ok": not findings,
        "errors": specs.has_errors(findings),
        "findings": [f.to_dict() for f in findings],
        "inputs": inputs.summary(),
        "input_tokens": inputs.tokens,
        "contract": enforced,
    }


def _changed_project(arguments: dict[str, Any]) -> tuple[Project, str | None]:
    project, index = touch(arguments["slug"])
    index.close()
    return project, check_run_id(arguments["run_id"]) if arguments.get("run_id") else None


async def diff(door: Door, arguments: dict[str, Any], report: Report) -> Any:
    project, run_id = _changed_project(arguments)
    return await asyncio.to_thread(changes.diff, project, run_id, stat=bool(arguments.get("stat")))


async def merge(door: Door, arguments: dict[str, Any], report: Report) -> Any:
    project, run_id = _changed_project(arguments)
    try:
        return await asyncio.to_thread(changes.merge, project, run_id, squash=bool(arguments.get("squash")))
    except MergeConflict as exc:
        raise Refused(
            {"merged": False, "conflicts": exc.paths, "error": exc.one_line(), "exit_code": 1},
            f"dispatch: {exc.one_line()}",
        ) from None


async def drop(door: Door, arguments: dict[str, Any], report: Report) -> Any:
    project, run_id = _changed_project(arguments)
    return await asyncio.to_thread(changes.drop, project, run_id)


async def list_tool(door: Door, arguments: dict[str, Any], report: Report) -> Any:
    rows = list_projects(arguments.get("sort", "updated"), arguments.get("limit"))
    return {"projects": [asdict(row) for row in rows]}


async def search(door: Door, arguments: dict[str, Any], report: Report) -> Any:
    hits = search_runs(
        arguments["query"],
        limit=arguments.get("limit", 20),
        project=arguments.get("project"),
        status=arguments.get("status"),
        since=arguments.get("since"),
    )
    return {"hits": [{"run": asdict(h.run), "snippet": h.snippet, "rank": h.rank} for h in hits]}


async def project(door: Door, arguments: dict[str, Any], report: Report) -> Any:
    return project_status(arguments["slug"])[0]


_ENDS = (
    "Returns the envelope (status, result, error, reason, exit_code, usage, audit_path, findings) when the run "
    "ends within wait_seconds, else its run_id and progress: then call `result`. status ok means review "
    "`result` before using it; anything else: read `error`, do not quietly resubmit."
)
TOOLS = {
    tool.name: tool
    for tool in (
        Tool(
            "dispatch",
            "Hand a bounded, self-contained task (a spec) to a cheaper model or a coding agent and wait for "
            "the result. The spec is checked first: checklist errors refuse it (status rejected) with findings[].fix "
            "saying what to change; task types frontier-reasoning and shipped-prose are refused (keep them). " + _ENDS,
            schema({**NEW_RUN, **WAIT}),
            dispatch,
        ),
        Tool(
            "start",
            "Like dispatch, but returns at once with the run_id (status running) once the run is recorded; "
            "follow it with `status`, `result` (wait_seconds to block) or `cancel`. Use it to run several at once.",
            schema(NEW_RUN),
            start,
        ),
        Tool(
            "status",
            "A run's state: running with progress so far (tokens, tool calls, last tool call), or its "
            "envelope once it has ended. Give run_id, or slug for the project's live or newest run.",
            schema(RUN_OR_SLUG),
            status,
        ),
        Tool(
            "result",
            "A run's envelope; with wait_seconds, block up to that long for a running run to end (progress "
            "notifications meanwhile). Give run_id, or slug for the project's live or newest run.",
            schema({**RUN_OR_SLUG, **WAIT}),
            result,
        ),
        Tool(
            "cancel",
            "Stop a run: one this server started, or a CLI run (`dispatch run`) in another process, which gets "
            "SIGTERM once it is proven to be that run's process. It is recorded as interrupted and its envelope returned. "
            "A run hosted by another server or the console is refused: cancel it there.",
            schema(RUN_OR_SLUG),
            cancel,
        ),
        Tool(
            "resume",
            "Continue a project's session with a new turn (prompt, or a spec checked like dispatch): chat "
            "models get the stored history, agents resume their own session. " + _ENDS,
            schema(
                {
                    "slug": NEW_RUN["slug"],
                    "prompt": NEW_RUN["prompt"],
                    **SPEC,
                    "session": {"type": "string", "description": "An older session id (default: the project's last)."},
                    "force": NEW_RUN["force"],
                    **RUN_OPTIONS,
                    **WAIT,
                },
                ("slug",),
            ),
            resume,
        ),
        Tool(
            "review",
            "Have another configured model review a project's last result (or run_id), read-only; the "
            "envelope adds verdict (pass, concerns, fail) and reasons. Review before you use a result. " + _ENDS,
            schema(
                {
                    "slug": NEW_RUN["slug"],
                    "run_id": RUN_OR_SLUG["run_id"],
                    **CHOICE,
                    **{k: RUN_OPTIONS[k] for k in ("cwd", "timeout", "stall", "busy_wait", "permission")},
                    **WAIT,
                },
                ("slug",),
            ),
            review,
        ),
        Tool(
            "escalate",
            "Re-dispatch a run's spec on a higher tier (tier), linked to it, or record that the work comes "
            "back to you (primary: true, with a reason). Default run: the project's newest.",
            schema(
                {
                    "slug": NEW_RUN["slug"],
                    "run_id": RUN_OR_SLUG["run_id"],
                    "tier": CHOICE["tier"],
                    "primary": {"type": "boolean", "description": "Hand the work back to the primary instead."},
                    "reason": {"type": "string", "description": "Why (required with primary)."},
                    **WAIT,
                },
                ("slug",),
            ),
            escalate,
        ),
        Tool(
            "batch",
            "Run many dispatches at once (items, or resume: a batch id) with shared rate limits and a budget, "
            "and wait for them all, with a progress notification as each ends. Every item is checked first: if any is "
            "rejected nothing is sent and the tool error lists each with its findings (or pass skip_rejected). Returns "
            "the summary (batch_id, ok, failed, interrupted, skipped, rejected, not_started, tokens, cost_usd, "
            "stopped) and items[], each its run's envelope with batch_item. Resume a batch that stopped short with "
            "resume: batch_id.",
            schema(BATCH),
            batch,
        ),
        Tool(
            "lint",
            "Check a spec against the dispatch checklist before sending it: findings with rule, severity, "
            "line, message, fix and the quoted phrase. errors true means dispatch would refuse it. What Inputs may "
            "name depends on the reader: model, tier or mode choose it (default: the spec's route).",
            schema({**SPEC, **{k: RUN_OPTIONS[k] for k in ("cwd", "model", "tier", "mode")}}),
            lint,
        ),
        Tool(
            "diff",
            "An agent run's changes to your repo (it worked in a git worktree on its own branch) against the "
            "commit it started from: the patch text, files with +/- counts. Review it before merge. Default run: the "
            "project's newest agent run with changes.",
            schema(
                {
                    "slug": NEW_RUN["slug"],
                    "run_id": RUN_OR_SLUG["run_id"],
                    "stat": {"type": "boolean", "description": "Files and +/- counts only."},
                },
                ("slug",),
            ),
            diff,
        ),
        Tool(
            "merge",
            "Land an agent run's changes on the repo's current branch (fast-forward, else a merge commit; "
            "squash: one commit). A conflict, or uncommitted changes in the way, changes nothing and is a tool error "
            "listing the paths: tell the user, or resume with the conflict explained. Merge only after verify passed.",
            schema(
                {
                    "slug": NEW_RUN["slug"],
                    "run_id": RUN_OR_SLUG["run_id"],
                    "squash": {"type": "boolean", "description": "One new commit instead."},
                },
                ("slug",),
            ),
            merge,
        ),
        Tool(
            "drop",
            "Remove an agent run's worktree and branch, discarding its changes (the patch stays in the trail).",
            schema({"slug": NEW_RUN["slug"], "run_id": RUN_OR_SLUG["run_id"]}, ("slug",)),
            drop,
        ),
        Tool(
            "list",
            "Every project: description, last status, runs, tokens, cost, review verdict.",
            schema(
                {
                    "limit": LIMIT,
                    "sort": {"type": "string", "enum": list(SORTS), "description": "Order (default updated)."},
                }
            ),
            list_tool,
        ),
        Tool(
            "project",
            "One project's status: its summary, last run, last session and last result text.",
            schema({"slug": NEW_RUN["slug"]}, ("slug",)),
            project,
        ),
        Tool(
            "search",
            "Full-text search over every run's spec, result and description, best first, with snippets "
            "(⟦ ⟧ mark matches). All words must match; end one with * for a prefix.",
            schema(
                {
                    "query": {"type": "string", "description": "Words to find."},
                    "limit": LIMIT,
                    "project": {"type": "string", "description": "Only this project."},
                    "status": {"type": "string", "enum": status_names(), "description": "Only runs with this status."},
                    "since": {"type": "string", "description": "Only runs started on or after (YYYY-MM-DD or ISO)."},
                },
                ("query",),
            ),
            search,
        ),
    )
}


async def call(door: Door, name: str, arguments: dict[str, Any] | None, report: Report) -> Any:
    tool = TOOLS.get(name)
    if tool is None:
        raise UsageError(f"unknown tool {name!r}", f"the tools are: {', '.join(TOOLS)}")
    return await tool.handler(door, check(arguments, tool.input_schema), report)
