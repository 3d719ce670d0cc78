"""`dispatch audit verify`: walk every project's hash chain and say, one line each, what was edited, removed or
moved since it was written (core/audit/chain.py holds the chain; this only reports it)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from core import paths
from core.audit import chain
from core.audit.index_writer import recover
from core.audit.store import SLUG, Project, validate_slug
from core.cli.output import emit_json, error_line
from core.errors import ExitCode, UsageError


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    audit = commands.add_parser(
        "audit",
        parents=[common],
        help="prove the trail is intact (hash chains)",
        description="Tamper evidence for the audit trail.",
    )
    actions = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    check = actions.add_parser(
        "verify",
        parents=[common],
        help="report edited, missing or reordered records",
        description="Walk each project's hash chain: every finished run record carries the "
        "sha256 of its content and of the record before it. One line per problem "
        "on stdout; exit 1 if there is any.",
        epilog="examples: dispatch audit verify; dispatch audit verify --slug my-api --json",
    )
    check.add_argument("--slug", help="only this project")
    check.add_argument("--json", action="store_true", help="one JSON document: a report per project")
    check.set_defaults(handler=cmd_verify)


def verify_project(project: Project) -> chain.Report:
    """One project's report; a run its dead process left running is marked interrupted (and sealed) first."""
    for message in recover(project, everywhere=True):
        error_line(f"dispatch: warning: {message}")
    return chain.verify(project.slug, project.logs, live=project.locked())


def projects(slug: str | None, removed_ok: bool = False) -> list[Project]:
    """The project --slug names (it must exist, or with `removed_ok` have been removed), or every project."""
    if slug is not None:
        project = Project.at(validate_slug(slug))
        if removed_ok and not project.exists() and removed_reports(slug):
            return []
        if not project.exists():
            raise UsageError(f"no project '{slug}'", "see `dispatch list` for the projects there are")
        return [project]
    base = paths.projects_dir()
    names = sorted(p.name for p in base.iterdir() if SLUG.fullmatch(p.name)) if base.is_dir() else []
    return [project for name in names if (project := Project.at(name)).exists()]


def removed_reports(slug: str | None) -> list[chain.Report]:
    """The projects `dispatch rm` removed, from their tombstones: each says what went, and whether the tombstone
    itself is as written."""
    from core.audit.retention import removed_projects

    reports = []
    for path, data in removed_projects():
        if slug is not None and data.get("slug") != slug:
            continue
        report = chain.Report(str(data.get("slug") or path.stem), removed=len(data.get("removed") or []))
        if not data or chain.digest({k: v for k, v in data.items() if k != "sha256"}) != data.get("sha256"):
            report.problems.append(chain.Problem("edited", path.name, "this tombstone no longer matches its sha256"))
        report.note = f"removed by {data.get('by') or '?'} at {data.get('at') or '?'} ({path.name})"
        reports.append(report)
    return reports


def cmd_verify(args: argparse.Namespace) -> int:
    reports = [verify_project(project) for project in projects(args.slug, removed_ok=True)]
    reports += removed_reports(args.slug)
    if args.json:
        emit_json(
            [
                {
                    "slug": r.slug,
                    "ok": r.ok,
                    "chained": r.chained,
                    "unchained": r.unchained,
                    "running": r.running,
                    "removed": r.removed,
                    "note": r.note,
                    "problems": [vars(p) for p in r.problems],
                }
                for r in reports
            ]
        )
    else:
        for report in reports:
            sys.stdout.write("".join(f"{p.kind:<9} {report.slug}  {p.where}: {p.detail}\n" for p in report.problems))
            state = "FAILED" if not report.ok else "removed" if report.note else "ok"
            sys.stdout.write(f"{state:<9} {report.slug}  {summary(report)}\n")
        if not reports:
            error_line("dispatch: no projects to verify")
    return ExitCode.RUN_FAILED if any(not r.ok for r in reports) else ExitCode.OK


def summary(report: chain.Report) -> str:
    parts = [f"{report.chained} chained"] if not report.note else []
    if report.removed:
        parts.append(f"{report.removed} removed under tombstones" if not report.note else f"{report.removed} runs")
    if report.unchained:
        parts.append(f"{report.unchained} unchained (written before hash chains)")
    if report.running:
        parts.append(f"{report.running} running")
    if report.problems:
        parts.append(f"{len(report.problems)} problems")
    if report.note:
        parts.append(report.note)
    return ", ".join(parts)
