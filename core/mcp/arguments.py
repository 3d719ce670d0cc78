"""Tool arguments: their JSON schemas (declared once, as data) and the checks that turn them into the same
request fields the CLI's flags make, with the CLI's own validators, plus the door's confinement: every path a call
names must lie inside the server's roots (its working directory, DISPATCH_PROJECTS_DIR and any --root), and
permission `bypass` needs a server started with --allow-bypass.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from core import config as configs
from core import paths, tiers
from core.audit.store import SLUG
from core.cli.numbers import LARGEST_COUNT, usd
from core.cli.output import read_text_arg
from core.cli.run import run_option_fields
from core.envelope import Status
from core.errors import UsageError


def _text(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


def _seconds(description: str, minimum: float = 0.0, exclusive: bool = True) -> dict[str, Any]:
    bound = {"exclusiveMinimum": minimum} if exclusive else {"minimum": minimum}
    return {"type": "number", "description": description, **bound}


def _count(description: str, minimum: int = 1) -> dict[str, Any]:
    return {"type": "integer", "description": description, "minimum": minimum, "maximum": LARGEST_COUNT}


SLUG_PATTERN = SLUG.pattern.strip("^$")
SPEC = {
    "spec": _text(
        "The task spec as Markdown: Goal, Non-goals, Inputs, Output, Verification, Escalation sections "
        "(and optional 'Task type:' / 'Tier:' lines). Self-contained: the model sees nothing else. "
        "Give spec or spec_path."
    ),
    "spec_path": _text(
        "A spec file instead of spec text, relative to cwd; it must lie inside cwd or the projects directory."
    ),
}
CHOICE = {
    "model": _text("A configured model name (see `dispatch models`). At most one of model, tier, task_type."),
    "tier": _text("A tier (see `dispatch tiers`): general, coding, agentic, ..."),
    "task_type": _text("What kind of work it is; routes to a tier.", enum=list(tiers.TASK_TYPES)),
}
RUN_OPTIONS = {
    **CHOICE,
    "cwd": _text(
        "Directory the spec's input paths are relative to (default: the server's directory); must lie "
        "inside the server's roots."
    ),
    "timeout": _seconds("Give up after this many seconds (default 600)."),
    "stall": _seconds("Stop an agent that prints nothing for this many seconds (default 300)."),
    "busy_wait": _seconds(
        "If another run holds the project, wait up to this many seconds for it (default 0: "
        "answer project_busy at once).",
        exclusive=False,
    ),
    "permission": _text(
        "What an agent backend may do unasked: plan (read-only), acceptEdits (default), bypass "
        "(refused unless the server runs with --allow-bypass).",
        enum=list(configs.PERMISSIONS),
    ),
    "verify": _text(
        "A command to check an ok run with, run in the project dir (agents) or cwd; a failure makes "
        "the status error, reason verify_failed. Default: a `Run:` line in the spec's Verification."
    ),
    "mode": _text(
        "web: research the live web with a tool-calling model, citing only fetched URLs.", enum=["chat", "web"]
    ),
    "no_inputs": {
        "type": "boolean",
        "description": "Do not send a stateless model the files the spec's Inputs "
        "section names (by default they are sent, from cwd).",
    },
    "in_place": {
        "type": "boolean",
        "description": "An agent works in cwd itself, not in a git worktree of the repo "
        "cwd is in (recorded). Default: a worktree to review with diff, "
        "then merge or drop.",
    },
    "base": _text("The commit an agent's worktree branches from (default HEAD)."),
    "contract_retries": _count(
        "When the answer breaks the spec's Output contract, re-ask the same session up to this many times with "
        "the failed checks listed (default 0, or the config's defaults.contract_retries).",
        minimum=0,
    )
    | {"maximum": configs.MAX_CONTRACT_RETRIES},
    "no_contract": {
        "type": "boolean",
        "description": "Do not check the answer against the spec's Output contract (by default a failed check "
        "makes the status error, reason contract_violation, with the checks in `contract`).",
    },
    "max_steps": _count("Web mode and Claude Code: at most this many model turns."),
    "max_fetches": _count("Web mode: at most this many page fetches.", minimum=0),
    "token_budget": _count("Web mode: tokens (in + out) to spend before the last turn."),
}
WAIT = {
    "wait_seconds": _seconds(
        "Block until the run ends or this many seconds pass (default 300); if it is "
        "still running you get its run_id and progress, then call `result`.",
        exclusive=False,
    )
}
LIMIT = _count("At most this many.")
RUN_OR_SLUG = {
    "run_id": _text("A run id (from dispatch/start/status)."),
    "slug": _text("A project; without run_id, its live or newest run.", pattern=f"^{SLUG_PATTERN}$"),
}
NEW_RUN = {
    **SPEC,
    "prompt": _text("Extra instructions after the spec, or the whole task when there is no spec."),
    "slug": _text(
        "Project name (1-64 of a-z, 0-9, '-'); made from the goal when absent. One run at a time per "
        "project; different projects run in parallel.",
        pattern=f"^{SLUG_PATTERN}$",
    ),
    "description": _text("Project description."),
    "force": {
        "type": "boolean",
        "description": "Dispatch despite checklist errors (recorded). Fix the findings instead when you can.",
    },
    **RUN_OPTIONS,
}


BATCH_ITEM = {**SPEC, "prompt": NEW_RUN["prompt"], "slug": NEW_RUN["slug"], **CHOICE}
BATCH = {
    "items": {
        "type": "array",
        "minItems": 1,
        "maxItems": LARGEST_COUNT,
        "description": "The dispatches to run, each a spec (or spec_path) with optional prompt, slug and "
        "model / tier / task_type. Items with the same slug run in order, others in parallel.",
        "items": {"type": "object", "properties": BATCH_ITEM, "additionalProperties": False},
    },
    "resume": _text(
        "A batch id (from an earlier batch's batch_id) to run what it has not finished ok, instead of items.",
        pattern=r"^batch-[0-9-]+$",
    ),
    "concurrency": _count("Dispatches in flight at once (default 8)."),
    "agents": _count("Items on agent backends at once, within concurrency (default 2)."),
    "max_cost": {
        "type": "number",
        "minimum": 0,
        "description": "Stop launching once spent + in flight + the next estimate would cross this many USD.",
    },
    "skip_rejected": {
        "type": "boolean",
        "description": "Run the items that pass the checks and record the others "
        "rejected (default: nothing runs if any is rejected).",
    },
    "timeout": RUN_OPTIONS["timeout"],
    "cwd": RUN_OPTIONS["cwd"],
}


def schema(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required), "additionalProperties": False}


def check(arguments: dict[str, Any] | None, input_schema: dict[str, Any]) -> dict[str, Any]:
    """The arguments, or a UsageError naming the first one that breaks the tool's schema."""
    arguments = arguments or {}
    error = next(
        iter(sorted(Draft202012Validator(input_schema).iter_errors(arguments), key=lambda e: list(e.path))), None
    )
    if error is not None:
        where = f"argument '{'.'.join(str(p) for p in error.path)}'" if error.path else "arguments"
        raise UsageError(f"{where}: {error.message}", "see the tool's input schema")
    return arguments


@dataclass
class Roots:
    """Where tool calls may reach: the server's working directory, the projects directory and any --root."""

    server_cwd: Path
    extra: list[Path] = field(default_factory=list)
    allow_bypass: bool = False

    def all(self) -> list[Path]:
        return [self.server_cwd.resolve(), paths.projects_dir().resolve(), *(p.resolve() for p in self.extra)]

    def cwd(self, value: str | None) -> Path | None:
        """A call's cwd: an existing directory inside the roots; None (the server's own) when not given."""
        if value is None:
            return None
        path = (self.server_cwd / Path(value).expanduser()).resolve()
        if not any(path.is_relative_to(root) for root in self.all()):
            raise UsageError(
                f"cwd {value} is outside the directories this server may use",
                f"use a directory under {', '.join(str(r) for r in self.all())}, or start `dispatch mcp --root DIR`",
            )
        if not path.is_dir():
            raise UsageError(f"cwd {value} is not a directory", "pass an existing directory")
        return path

    def spec_text(self, arguments: dict[str, Any], cwd: Path | None) -> str:
        """The spec a call gives, as text or as a file inside cwd (default the server's) or the projects directory."""
        cwd = cwd or self.server_cwd.resolve()
        if arguments.get("spec") is not None and arguments.get("spec_path") is not None:
            raise UsageError("give spec or spec_path, not both", "pass the spec text, or the path of a spec file")
        if arguments.get("spec_path") is None:
            return str(arguments.get("spec") or "")
        path = (cwd / Path(arguments["spec_path"]).expanduser()).resolve()
        inside = (cwd, paths.projects_dir().resolve())
        if not any(path.is_relative_to(root) for root in inside):
            raise UsageError(
                f"spec_path {arguments['spec_path']} is outside cwd and the projects directory",
                "put the spec file under cwd, or pass its text as spec",
            )
        return read_text_arg(str(path))

    def permission(self, fields: dict[str, Any]) -> None:
        """Refuse bypass, asked for or configured as the default, unless the server allows it."""
        chosen = fields.get("permission") or configs.load().defaults.permission
        if chosen == "bypass" and not self.allow_bypass:
            said = "asked for" if fields.get("permission") else "the configured default (DISPATCH_PERMISSION or config)"
            raise UsageError(
                f"permission bypass ({said}) is refused by this MCP server",
                "use plan or acceptEdits, or start the server with `dispatch mcp --allow-bypass`",
            )


def run_fields(arguments: dict[str, Any], roots: Roots) -> dict[str, Any]:
    """The DispatchRequest fields RUN_OPTIONS set, built by the CLI's own function from the same flags."""
    chosen = [name for name in CHOICE if arguments.get(name) is not None]
    if len(chosen) > 1:
        raise UsageError(
            f"give at most one of model, tier, task_type (got {', '.join(chosen)})", "the most specific one is enough"
        )
    flags = argparse.Namespace(
        model=arguments.get("model"),
        tier=arguments.get("tier"),
        task_type=arguments.get("task_type"),
        cwd=roots.cwd(arguments.get("cwd")),
        wait=float(arguments.get("busy_wait") or 0.0),
        timeout=arguments.get("timeout"),
        permission=arguments.get("permission"),
        stall=float(arguments.get("stall") or 300.0),
        verify=arguments.get("verify"),
        mode=arguments.get("mode") or "chat",
        max_steps=arguments.get("max_steps"),
        max_fetches=arguments.get("max_fetches"),
        token_budget=arguments.get("token_budget"),
        no_inputs=bool(arguments.get("no_inputs")),
        in_place=bool(arguments.get("in_place")),
        base=arguments.get("base"),
        contract_retries=arguments.get("contract_retries"),
        no_contract=bool(arguments.get("no_contract")),
    )
    fields = run_option_fields(flags)
    roots.permission(fields)
    return fields


def amount(arguments: dict[str, Any], name: str) -> float | None:
    """An amount of USD checked by --max-cost's own type: the schema's `minimum` lets NaN and Infinity through
    (Python's json reads both, and no comparison with NaN is true), and either would switch a spend cap off."""
    value = arguments.get(name)
    if value is None:
        return None
    try:
        return usd(repr(value))
    except argparse.ArgumentTypeError as exc:
        raise UsageError(f"argument '{name}': {exc}", "pass a finite amount of USD, zero or more") from None


def status_names() -> list[str]:
    return [str(status) for status in Status]
