"""`dispatch show`: one run as a person reads it, for the auditor at a terminal.

The run's result file holds everything (envelope, spec, route, inputs, attempts, verify, changes, raw output) and
its events file the timeline; this reads those two files and the index rows that link runs to each other. Plain
text in a pipe; on a terminal the spec and answer are drawn from their Markdown (core/cli/markdown_term.py) and
control characters in any field are made visible. `--json`, `--events` and `--raw` print the stored data as it
is. Read-only and light: nothing of the engine, the backends, asyncio or httpx is imported.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core import paths
from core.audit import chain
from core.audit.index import RunRow
from core.audit.store import LOGS, RESULT_SUFFIX, Project
from core.cli.output import emit_json, one_line, table, visible
from core.cli.views import touch
from core.errors import DispatchError, ExitCode, UsageError

UNREADABLE = "(unreadable line)"
FOLDED = ("TextDelta", UNREADABLE)
"""Events shown as one counted line per run of them, so a long answer or a damaged log stays readable."""
RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def fenced(text: str) -> str:
    """Text as a Markdown code block, its fence longer than any run of backticks inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class Layout:
    """How `render` lays a run out: plain text for a pipe, the answer styled for a terminal, Markdown for export."""

    section: Callable[[str], str] = "== {} ==".format
    header: Callable[[str], str] = _same
    prose: Callable[[str], str] = _same
    """The spec and the answer (Markdown as a model or a person wrote it)."""
    lines: Callable[[str], str] = _same
    """Tables and line-by-line text (inputs, verification, attempts, events)."""


PLAIN = Layout()
MARKDOWN = Layout(section="### {}".format, header="- {}".format, lines=fenced)


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    show = commands.add_parser(
        "show",
        parents=[common],
        help="one run in full: header, spec, inputs, answer, events",
        description="One run as a person reads it: status, model, route, tokens, cost, links "
        "to related runs, the spec, the inputs sent, the answer, verification, "
        "attempts and the event timeline.",
        epilog="examples: dispatch show 20261201-101500-4242-1; dispatch show --slug my-api --last --json",
    )
    show.add_argument("run_id", nargs="?", metavar="RUN_ID", help="the run (see `dispatch runs --slug S`)")
    show.add_argument("--slug", help="the project (needed when RUN_ID is not given)")
    show.add_argument("--last", action="store_true", help="the project's latest run (the default without RUN_ID)")
    view = show.add_mutually_exclusive_group()
    view.add_argument("--json", action="store_true", help="print the whole record as JSON")
    view.add_argument("--events", action="store_true", help="print the event log (JSON Lines, as recorded)")
    view.add_argument("--raw", action="store_true", help="print the backend's raw output, as recorded")
    show.set_defaults(handler=cmd_show)


def cmd_show(args: argparse.Namespace) -> int:
    project, run_id = locate(args.run_id, args.slug, args.last)
    if args.events:
        sys.stdout.write(_events_text(project, run_id))
        return ExitCode.OK
    record = project.named_run(run_id, as_stored=args.json)
    if args.json:
        emit_json(record)
        return ExitCode.OK
    if args.raw:
        raw = str(record.get("raw") or "")
        if not raw:
            raise UsageError(f"run {run_id} recorded no raw output", f"see `dispatch show {run_id}` for the answer")
        sys.stdout.write(raw if raw.endswith("\n") else raw + "\n")
    else:
        sys.stdout.write(readable(project, run_id, record, terminal_layout()))
    sys.stdout.flush()
    return ExitCode.OK


def readable(project: Project, run_id: str, record: dict[str, Any], layout: Layout = PLAIN) -> str:
    """The text view; a record edited into a shape this does not know is one line pointing at --json."""
    from core.contract import acceptance

    if decision := acceptance.accepted(project).get(run_id):
        record = {**record, "accepted": decision}
    try:
        return render(record, events(project, run_id), children(project, run_id), layout)
    except (AttributeError, TypeError, ValueError, KeyError) as exc:
        raise DispatchError(
            f"the record of run {run_id} is not in the shape of a run record ({exc})",
            f"`dispatch show {run_id} --json` prints it as stored",
        ) from None


def locate(run_id: str | None, slug: str | None, last: bool) -> tuple[Project, str]:
    """The project and run a command line names: RUN_ID alone (found in whichever project holds it), RUN_ID in
    --slug, or --slug's latest run."""
    if run_id and last:
        raise UsageError("give RUN_ID or --last, not both", "--last shows the project's latest run")
    if run_id and not RUN_ID.match(run_id):
        raise UsageError(f"invalid run id {run_id!r}", "run ids look like 20261201-101500-4242-1; see `dispatch runs`")
    if not run_id:
        if not slug:
            raise UsageError(
                "name a run: RUN_ID, or --slug S for its latest", "see `dispatch list` and `dispatch runs`"
            )
        project, _ = touch(slug)
        ids = project.run_ids()
        if not ids:
            raise UsageError(f"project '{slug}' has no runs yet", f"start one with `dispatch run --slug {slug}`")
        return project, ids[-1]
    if slug:
        project, _ = touch(slug)
        return project, run_id
    holders = sorted(paths.projects_dir().glob(f"*/{LOGS}/{run_id}{RESULT_SUFFIX}"))
    if not holders:
        raise UsageError(f"no run {run_id} in any project", "see `dispatch runs --slug S`, or `dispatch search`")
    if len(holders) > 1:
        names = ", ".join(p.parent.parent.name for p in holders)
        raise UsageError(f"run {run_id} is in several projects: {names}", "add --slug to choose one")
    project, _ = touch(holders[0].parent.parent.name)
    return project, run_id


def _events_text(project: Project, run_id: str) -> str:
    try:
        return project.events_path(run_id).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise UsageError(f"run {run_id} has no event log", f"it would be {project.events_path(run_id)}") from None


def events(project: Project, run_id: str) -> list[dict[str, Any]]:
    """The run's events in order; a torn or unreadable line is shown as such, never dropped silently."""
    try:
        text = project.events_path(run_id).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    out: list[dict[str, Any]] = []
    for line in text.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            event = None
        out.append(event if isinstance(event, dict) else {"type": UNREADABLE, "text": line})
    return out


def children(project: Project, run_id: str) -> list[tuple[str, str, str]]:
    """(run id, kind, status) of the runs that continue, review or escalate this one, from the index."""
    _, index = touch(project.slug)
    with index:
        rows = index.runs(project.slug, limit=-1)
    return links(rows).get(run_id, [])


def links(rows: list[RunRow]) -> dict[str, list[tuple[str, str, str]]]:
    """Each parent run id -> (run id, kind, status) of the runs that follow it, sorted."""
    found: dict[str, list[tuple[str, str, str]]] = {}
    for row in sorted(rows, key=lambda r: r.run_id):
        if row.parent_run_id:
            found.setdefault(row.parent_run_id, []).append((row.run_id, row.kind, row.status))
    return found


def terminal_layout() -> Layout:
    """The answer and spec rendered with ANSI styles when stdout is a terminal that takes them; else PLAIN."""
    if not sys.stdout.isatty() or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return PLAIN
    from core.cli import markdown_term

    return Layout(prose=markdown_term.render, lines=visible, header=visible)


def render(
    record: dict[str, Any], timeline: list[dict[str, Any]], linked: list[tuple[str, str, str]], layout: Layout = PLAIN
) -> str:
    """The whole run: a header of `Name: value` lines, then one titled section per part."""

    def section(title: str, body: str, prose: bool = False) -> str:
        return f"{layout.section(title)}\n{(layout.prose if prose else layout.lines)(body)}"

    parts = [
        "\n".join(map(layout.header, _header(record, linked))),
        section("Spec", str(record.get("spec") or "-").rstrip(), prose=True),
        section(*_inputs(record)),
        section("Answer", str(record.get("result") or "-").rstrip(), prose=True),
    ]
    for title, body in (_verdict(record), _contract(record), _verify(record), _changes(record), _findings(record)):
        if body:
            parts.append(section(title, body))
    parts += [section(*_attempts(record)), section(*_timeline(timeline))]
    return "\n\n".join(parts) + "\n"


def _header(record: dict[str, Any], linked: list[tuple[str, str, str]]) -> list[str]:
    usage = record.get("usage") or {}
    route = record.get("route") or {}
    cost = record.get("cost_usd")
    lines = [
        f"Run: {record.get('run_id') or '-'} ({record.get('kind') or 'run'}) in project {record.get('slug') or '-'}",
        f"Status: {record.get('status') or '-'}" + (f" ({record['reason']})" if record.get("reason") else ""),
    ]
    if record.get("error"):
        lines.append(f"Error: {record['error']}")
    lines += [
        f"Model: {record.get('model') or '-'} ({record.get('backend') or '-'})",
        f"Tier: {record.get('tier') or '-'}, task type {record.get('task_type') or '-'}"
        + (", forced" if record.get("forced") else ""),
    ]
    if route:
        lines.append(f"Route: {' -> '.join(route.get('models') or []) or '-'}: {route.get('reason') or '-'}")
    lines += [
        f"Tokens: {usage.get('input_tokens', 0)} in, {usage.get('output_tokens', 0)} out",
        f"Cost: {'-' if cost is None else f'${cost:.6f}'}",
        f"Duration: {int(record.get('duration_ms') or 0) / 1000:.1f}s, {record.get('num_turns', 0)} turns",
        f"Started: {record.get('started_at') or '-'}",
        f"Finished: {record.get('finished_at') or '-'}",
        f"Session: {record.get('session_id') or '-'}",
    ]
    if record.get("reviewed_run_id"):
        lines.append(f"Reviewed run: {record['reviewed_run_id']}")
    if record.get("parent_run_id") and record["parent_run_id"] != record.get("reviewed_run_id"):
        lines.append(f"Parent run: {record['parent_run_id']}")
    if record.get("escalated_from") or record.get("escalation_reason"):
        lines.append(
            f"Escalated from tier {record.get('escalated_from') or '-'}: "
            f"{record.get('escalation_reason') or 'no reason given'}"
        )
    lines += [f"Followed by: {run_id} ({kind}, {status})" for run_id, kind, status in linked]
    if record.get("audit_path"):
        lines.append(f"Record: {record['audit_path']}")
    if (link := chain.link_of(record)) is not None:
        state = "as sealed" if chain.digest(record) == link.get("sha256") else "EDITED since it was sealed"
        lines.append(f"Chain: seq {link['seq']}, sha256 {str(link.get('sha256'))[:16]}…, {state}")
    return lines


def _inputs(record: dict[str, Any]) -> tuple[str, str]:
    files = record.get("inputs") or []
    title = f"Inputs sent ({len(files)} files, {record.get('inputs_masked', 0)} secrets masked)"
    if not files:
        return title, "-"
    return title, table(
        [
            [
                str(f.get("path")),
                str(f.get("bytes")),
                str(f.get("sha256")),
                str(f.get("tokens")),
                str(f.get("masked", 0)),
            ]
            for f in files
        ],
        ["PATH", "BYTES", "SHA256", "TOKENS", "MASKED"],
    )


def _verdict(record: dict[str, Any]) -> tuple[str, str]:
    if not record.get("verdict"):
        return "Review verdict", ""
    reasons = "".join(f"\n  - {reason}" for reason in record.get("reasons") or [])
    return "Review verdict", f"{record['verdict']}{reasons}"


def _verify(record: dict[str, Any]) -> tuple[str, str]:
    verify = record.get("verify")
    if not isinstance(verify, dict):
        return "Verification", ""
    if verify.get("skipped"):
        return "Verification", f"skipped ({verify['skipped']}): {' && '.join(verify.get('commands') or [])}"
    lines = [
        f"{'passed' if r.get('passed') else 'FAILED'}: `{r.get('command')}` exit {r.get('exit_code')}"
        for r in verify.get("runs") or [verify]
    ]
    if verify.get("output_tail"):
        lines += ["output (tail):", str(verify["output_tail"]).rstrip()]
    return "Verification", "\n".join(lines)


def _contract(record: dict[str, Any]) -> tuple[str, str]:
    """Each check of the Output contract, the phrase it came from and what it found; an operator's acceptance."""
    contract = record.get("contract")
    if not isinstance(contract, dict):
        return "Output contract", ""
    mark = {True: "passed", False: "FAILED", None: "unchecked"}
    lines = [
        f"{mark.get(c.get('passed'), '?')}: {c.get('rule')} ({c.get('source')!r}): {c.get('detail')}"
        for c in contract.get("checks") or []
    ]
    if (attempts := contract.get("attempts") or 1) > 1:
        lines.append(f"answered {attempts} times (re-asked {attempts - 1} with the failed checks)")
    if accepted := record.get("accepted"):
        note = f": {accepted['note']}" if accepted.get("note") else ""
        lines.append(f"accepted anyway by the {accepted.get('by')} at {accepted.get('at')}{note}")
    return "Output contract", "\n".join(lines)


def _changes(record: dict[str, Any]) -> tuple[str, str]:
    changes = record.get("changes")
    if not isinstance(changes, dict):
        return "Changes", ""
    if changes.get("error"):
        return "Changes", f"not captured: {changes['error']}"
    files = changes.get("files") or []
    lines = [
        f"Branch: {changes.get('branch') or '-'} (base {str(changes.get('base') or '-')[:12]}), "
        f"{len(files)} files, +{changes.get('insertions', 0)} -{changes.get('deletions', 0)}"
    ]
    lines += [
        f"  {f.get('status', '?'):<9} {f.get('path')}  +{f.get('insertions', 0)} -{f.get('deletions', 0)}"
        for f in files
    ]
    if changes.get("patch"):
        lines.append(f"Patch: {changes['patch']}")
    return "Changes", "\n".join(lines)


def _findings(record: dict[str, Any]) -> tuple[str, str]:
    found = record.get("findings") or []
    return "Spec findings", "\n".join(f"  {f.get('severity', '?')}: {f.get('message', f)}" for f in found)


def _attempts(record: dict[str, Any]) -> tuple[str, str]:
    attempts = record.get("attempts") or []
    rows = [
        [
            str(a.get("number", i + 1)),
            f"{a.get('model') or '-'} ({a.get('backend') or '-'})",
            str(a.get("status") or "-"),
            f"{int(a.get('duration_ms') or 0) / 1000:.1f}s",
            one_line(str(a.get("error") or ""), 80),
        ]
        for i, a in enumerate(attempts)
    ]
    return f"Attempts ({len(attempts)})", table(rows, ["#", "MODEL", "STATUS", "TIME", "ERROR"]) if rows else "-"


def _timeline(timeline: list[dict[str, Any]]) -> tuple[str, str]:
    """One line per event; a run of text deltas, or of unreadable lines, is folded into one line that counts it."""
    lines: list[str] = []
    folded: dict[str, int] = {}
    for event in [*timeline, {"type": ""}]:
        kind = str(event.get("type"))
        if kind in FOLDED:
            folded[kind] = folded.get(kind, 0) + 1
            folded[kind + " size"] = folded.get(kind + " size", 0) + len(str(event.get("text", "")))
            continue
        for fold in [k for k in FOLDED if k in folded]:
            lines.append(f"  {fold} x{folded[fold]} ({folded[fold + ' size']} characters)")
        folded.clear()
        if kind:
            details = {k: v for k, v in event.items() if k not in ("type", "envelope")}
            lines.append(
                f"  {kind}" + (f"  {one_line(json.dumps(details, ensure_ascii=False), 110)}" if details else "")
            )
    return f"Events ({len(timeline)})", "\n".join(lines) or "-"
