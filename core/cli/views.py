"""The read-only views of the audit trail: status, list, search, runs, sessions, and reindex.

They read the index (and, for status, one project's files), never every run file, and import only what that
takes: nothing of the engine, the backends, asyncio or httpx, so each answers in a few tens of milliseconds
(tests/cli/test_light_commands.py keeps it so). A command that touches one project first marks runs a killed
process left behind as interrupted.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import Any, cast

from core.audit.index import Hit, Index, ProjectRow, RunRow, normalize_since
from core.audit.index_writer import recover
from core.audit.lock import is_locked
from core.audit.store import Project, validate_slug
from core.cli.numbers import positive_int
from core.cli.output import emit_json, error_line, one_line, table
from core.envelope import Status
from core.errors import ExitCode, UsageError


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    project_command(commands, common, "status", "a project's last run, totals and review verdict", cmd_status)

    listing = commands.add_parser(
        "list",
        parents=[common],
        help="every project: description, last status, runs, cost",
        epilog="example: dispatch list --sort cost --limit 10",
    )
    listing.add_argument("--limit", type=positive_int, metavar="N", help="at most N projects")
    listing.add_argument(
        "--sort", choices=("updated", "name", "cost"), default="updated", help="order (default updated)"
    )
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    listing.set_defaults(handler=cmd_list)

    search = commands.add_parser(
        "search",
        parents=[common],
        help="full text over specs, results and descriptions",
        description="Ranked matches, each with a snippet; ⟦ ⟧ mark the matched words. "
        "Words must all match; end one with * for a prefix.",
        epilog='example: dispatch search "flask pagination" --since 2026-11-01 --json',
    )
    search.add_argument("query", metavar="QUERY", help="words to find")
    search.add_argument("--limit", type=positive_int, default=20, metavar="N", help="at most N hits (default 20)")
    search.add_argument("--project", metavar="SLUG", help="only this project")
    search.add_argument("--status", choices=[str(s) for s in Status], help="only runs with this status")
    search.add_argument("--since", metavar="DATE", help="only runs started on or after DATE (YYYY-MM-DD or ISO time)")
    search.add_argument("--json", action="store_true", help="print a JSON list")
    search.set_defaults(handler=cmd_search)

    runs = project_command(commands, common, "runs", "a project's runs, newest first", cmd_runs)
    runs.add_argument("--limit", type=positive_int, default=50, metavar="N", help="at most N runs (default 50)")
    project_command(commands, common, "sessions", "a project's sessions, newest first", cmd_sessions)

    reindex = commands.add_parser(
        "reindex",
        parents=[common],
        help="rebuild the search index from the run files",
        epilog="example: dispatch reindex",
    )
    reindex.add_argument(
        "--check",
        action="store_true",
        help="run the full integrity check instead (rebuilding only if it fails); it otherwise runs "
        "daily in the background",
    )
    reindex.add_argument("--json", action="store_true", help="print a JSON object")
    reindex.set_defaults(handler=cmd_reindex)


def project_command(
    commands: Any, common: argparse.ArgumentParser, name: str, text: str, handler: Any
) -> argparse.ArgumentParser:
    """A command over one project: --slug and --json (status, runs and sessions; diff, merge and drop)."""
    parser = commands.add_parser(
        name,
        parents=[common],
        help=text,
        description=text[0].upper() + text[1:] + ".",
        epilog=f"example: dispatch {name} --slug my-api --json",
    )
    parser.add_argument("--slug", required=True, help="the project")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=handler)
    return cast(argparse.ArgumentParser, parser)


def touch(slug: str) -> tuple[Project, Index]:
    """An existing project, with crash leftovers repaired, and the index caught up with it."""
    project = Project.at(validate_slug(slug))
    if not project.exists():
        raise UsageError(f"no project '{slug}'", "see `dispatch list` for the projects there are")
    _recover_dead({project.slug})
    index = Index.open()
    if index.count_runs(slug, status=str(Status.RUNNING)) and not is_locked(project.logs / "lock"):
        index.writer.sync_project(slug)
    return project, index


def project_status(slug: str) -> tuple[dict[str, Any], Project, ProjectRow | None, RunRow | None]:
    """What `status` shows of one project, as data (the MCP door serves the same), with the rows it came from."""
    project, index = touch(slug)
    with index:
        row = index.project(slug)
        last = index.runs(slug, limit=1)
    run = last[0] if last else None
    last_result = project.last_result()
    data = {
        "project": asdict(row) if row else None,
        "path": str(project.root),
        "last_session": project.last_session_id(),
        "last_run": asdict(run) if run else None,
        "last_result": last_result,
        "worktrees": _worktrees(project),
    }
    return data, project, row, run


def _worktrees(project: Project) -> list[dict[str, Any]]:
    """The git worktrees of a project that ever had one; the rest never import core.changes, which loads the
    secret redactor's patterns and the worktree code (~25 ms of a 90 ms command)."""
    if not project.changes_log.exists():
        return []
    from core import changes

    return changes.worktrees(project)


def cmd_status(args: argparse.Namespace) -> int:
    data, project, row, run = project_status(args.slug)
    last_result, trees = data["last_result"], data["worktrees"]
    if args.json:
        emit_json(data)
        return ExitCode.OK
    lines = [f"Project: {args.slug}", f"Path: {project.root}"]
    if row and row.description:
        lines.append(f"Description: {row.description}")
    lines.append(f"Last session: {data['last_session'] or '-'}")
    if run:
        lines += [
            f"Last run: {run.run_id} ({run.kind})",
            f"Status: {run.status}",
            f"Duration: {run.duration_ms / 1000:.1f}s",
            f"Turns: {_turns(project, run)}",
            f"Stop reason: {run.reason or '-'}",
            f"Model: {run.model or '-'} ({run.backend or '-'})",
        ]
        if run.error:
            lines.append(f"Error: {run.error}")
    else:
        lines.append("Last run: -")
    if row:
        lines += [
            f"Tier: {row.tier or '-'}",
            f"Runs: {row.runs}",
            f"Tokens: {row.input_tokens} in, {row.output_tokens} out",
            f"Cost: ${row.cost_usd:.6f}",
            f"Review: {row.review_verdict or '-'}",
        ]
    for tree in trees:
        lines.append(
            f"Worktree: {tree['branch']} ({tree['state']}{'' if tree['exists'] else ', directory gone'}) {tree['path']}"
        )
    lines += ["Last result:", last_result.rstrip() or "-"]
    print("\n".join(lines))
    return ExitCode.OK


def _turns(project: Project, run: RunRow) -> str:
    """Turns are in the one result file status already names; reading it is not a scan."""
    try:
        return str(project.read_run(run.run_id).get("num_turns", "-"))
    except (OSError, ValueError):
        return "-"


def _recover_dead(slugs: set[str]) -> bool:
    """Repair the listed projects whose last run is still `running` but whose runner died; only those are
    looked at, so listing never scans every file. Returns whether any was marked."""
    marked = False
    for slug in sorted(slugs):
        for message in recover(Project.at(slug)):
            error_line(f"dispatch: warning: {message}")
            marked = True
    return marked


def list_projects(sort: str = "updated", limit: int | None = None) -> list[ProjectRow]:
    """Projects from the index, with any whose runner died marked first."""
    with Index.open() as index:
        rows = index.projects(sort=sort, limit=limit)
        if _recover_dead({r.slug for r in rows if r.last_status == Status.RUNNING}):
            rows = index.projects(sort=sort, limit=limit)
    return rows


def cmd_list(args: argparse.Namespace) -> int:
    rows = list_projects(args.sort, args.limit)
    if args.json:
        emit_json([asdict(r) for r in rows])
    elif rows:
        print(
            table(
                [
                    [
                        r.slug,
                        one_line(r.description, 48),
                        r.last_status or "-",
                        str(r.runs),
                        f"${r.cost_usd:.6f}",
                        r.updated[:19].replace("T", " "),
                    ]
                    for r in rows
                ],
                ["PROJECT", "DESCRIPTION", "LAST", "RUNS", "COST", "UPDATED"],
            )
        )
    else:
        error_line("dispatch: no projects yet (start one with `dispatch run --spec FILE --slug NAME`)")
    return ExitCode.OK


def search_runs(
    query: str, *, limit: int = 20, project: str | None = None, status: str | None = None, since: str | None = None
) -> list[Hit]:
    """Ranked hits from the index, checked like the command's flags, with dead runners' runs marked first."""
    if project:
        validate_slug(project)
    normalize_since(since)
    with Index.open() as index:
        hits = index.search(query, limit=limit, project=project, status=status, since=since)
        if _recover_dead({h.run.slug for h in hits if h.run.status == Status.RUNNING}):
            hits = index.search(query, limit=limit, project=project, status=status, since=since)
    return hits


def cmd_search(args: argparse.Namespace) -> int:
    hits = search_runs(args.query, limit=args.limit, project=args.project, status=args.status, since=args.since)
    if args.json:
        emit_json([{"run": asdict(h.run), "snippet": h.snippet, "rank": h.rank} for h in hits])
    elif hits:
        for hit in hits:
            print(f"{hit.run.slug}  {hit.run.run_id}  {hit.run.status}  {hit.run.kind}\n    {hit.snippet}")
    else:
        error_line(f"dispatch: no run matches {args.query!r}")
    return ExitCode.OK


def cmd_runs(args: argparse.Namespace) -> int:
    _, index = touch(args.slug)
    with index:
        rows = index.runs(args.slug, limit=args.limit)
    if args.json:
        emit_json([asdict(r) for r in rows])
    else:
        print(
            table(
                [
                    [
                        r.run_id,
                        r.kind,
                        r.status,
                        r.model or "-",
                        f"{r.duration_ms / 1000:.1f}s",
                        f"{r.input_tokens}+{r.output_tokens}",
                        r.verdict or "",
                    ]
                    for r in rows
                ],
                ["RUN", "KIND", "STATUS", "MODEL", "TIME", "TOKENS", "VERDICT"],
            )
        )
    return ExitCode.OK


def cmd_sessions(args: argparse.Namespace) -> int:
    _, index = touch(args.slug)
    with index:
        rows = index.sessions(args.slug)
    if args.json:
        emit_json([asdict(r) for r in rows])
    else:
        print(
            table(
                [[r.session_id, str(r.runs), r.first_run, r.last_run, r.last_status] for r in rows],
                ["SESSION", "RUNS", "FIRST RUN", "LAST RUN", "LAST STATUS"],
            )
        )
    return ExitCode.OK


def cmd_reindex(args: argparse.Namespace) -> int:
    with Index.open(check=False) as index:
        sound = index.writer.check_now() if args.check else None
        count = index.count_runs() if args.check else index.reindex()
        projects = len(index.projects())
    if args.check:
        if args.json:
            emit_json({"sound": sound, "rebuilt": not sound, "runs": count, "path": str(index.path)})
        else:
            print(
                f"index sound: {count} runs in {projects} projects: {index.path}"
                if sound
                else f"index was damaged and is rebuilt from the files: {count} runs in {projects} projects: {index.path}"
            )
        return ExitCode.OK
    if args.json:
        emit_json({"runs": count, "projects": projects, "path": str(index.path)})
    else:
        print(f"indexed {count} runs in {projects} projects: {index.path}")
    return ExitCode.OK
