"""`dispatch export`: a project's runs as one bundle to hand to someone else, in Markdown, JSON Lines or a tar.

The bundle is self-contained (each run's record and its event log; the tar also the project's chain, tombstones
and patches) and carries what `dispatch audit verify` says of the chain, so a reader knows whether the trail was
intact when it left. Every string goes through the redactor again on the way out (the keys this process and the
config know), so a key that reached a file some other way is masked in the bundle too. The tar's MANIFEST.json
and SHA256SUMS (`sha256sum -c` reads it) give each file's size and sha256 as exported.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import stat
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

from core.audit import chain
from core.audit.index import normalize_since
from core.audit.retention import who
from core.audit.store import Project, now_iso
from core.cli.output import error_line
from core.cli.show import MARKDOWN, events, links, render
from core.cli.views import touch
from core.errors import ExitCode, UsageError
from core.fsutil import atomic_write_bytes
from core.redact import Redactor

FORMATS = ("md", "jsonl", "tar")
PROJECT_FILES = ("project.json", "changes.jsonl", chain.HEAD)


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    export = commands.add_parser(
        "export",
        parents=[common],
        help="a project's runs as one bundle (md, jsonl, tar)",
        description="A self-contained bundle of a project's runs, secrets masked: one "
        "Markdown document, JSON Lines (a record per line, its events in it), or "
        "a tar of the run files with a manifest of their sha256.",
        epilog="examples: dispatch export --slug my-api > my-api.md; dispatch export --slug "
        "my-api --format tar -o my-api.tar --since 2026-11-01",
    )
    export.add_argument("--slug", required=True, help="the project")
    export.add_argument("--since", metavar="DATE", help="only runs started on or after this date (YYYY-MM-DD)")
    export.add_argument("--format", choices=FORMATS, default="md", help="md (default), jsonl or tar")
    export.add_argument("-o", "--output", metavar="FILE", help="write here (a file atomically) instead of stdout")
    export.set_defaults(handler=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    if args.format == "tar" and not args.output and sys.stdout.isatty():
        raise UsageError("a tar is not for the terminal", "pass -o FILE, or pipe it: dispatch export ... > bundle.tar")
    since = normalize_since(args.since)
    project, index = touch(args.slug)
    with index:
        rows = index.runs(project.slug, limit=-1)
    from core import config

    redactor = Redactor.for_config(config.load())
    records = [
        (run_id, record)
        for run_id, record in _records(project)
        if since is None or str(record.get("started_at") or "") >= since
    ]
    report = chain.verify(project.slug, project.logs, live=project.locked())
    if args.format == "md":
        linked = links(rows)
        data = _markdown(project, records, linked, report, args.since).encode("utf-8")
    elif args.format == "jsonl":
        data = "".join(
            json.dumps({**record, "events": events(project, run_id)}, ensure_ascii=False, default=str) + "\n"
            for run_id, record in records
        ).encode("utf-8")
    else:
        data = _tar(project, [run_id for run_id, _ in records], report, args.since, redactor)
    if args.format != "tar":
        data = redactor.text(data.decode("utf-8")).encode("utf-8")
    if args.output:
        _write_bundle(Path(args.output), data)
        error_line(f"dispatch: exported {len(records)} runs of '{project.slug}' to {args.output}")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return ExitCode.OK


def _write_bundle(path: Path, data: bytes) -> None:
    """The bundle at -o: a regular file (or a new one) replaced atomically, through a symlink to one; a device or a
    pipe (/dev/stdout, a FIFO) written into, since replacing it would swap the node itself for a file."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise UsageError(f"-o {path}: {exc.strerror or exc}", "name a file in a directory you can write") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise UsageError(f"-o {path} is a directory", f"name a file to write, e.g. -o {path / 'bundle'}")
    if mode is not None and not stat.S_ISREG(mode):
        with path.open("wb") as stream:
            stream.write(data)
        return
    target = path.resolve()
    if not target.parent.is_dir():
        raise UsageError(f"-o {path}: no directory {target.parent}", "create it first, or name a file in one")
    atomic_write_bytes(target, data)


def _records(project: Project) -> list[tuple[str, dict[str, Any]]]:
    """Every readable run record, oldest first; one that cannot be read is said on stderr and left out."""
    found = []
    for run_id in project.run_ids():
        try:
            record = project.read_run(run_id)
        except (OSError, ValueError) as exc:
            error_line(f"dispatch: warning: run {run_id} is left out: its record cannot be read ({exc})")
            continue
        if isinstance(record, dict):
            found.append((run_id, record))
    return found


def _chain_line(report: chain.Report) -> str:
    from core.cli.audit_cmd import summary

    return f"{'intact' if report.ok else 'NOT intact'}: {summary(report)}"


def _markdown(
    project: Project,
    records: list[tuple[str, dict[str, Any]]],
    linked: dict[str, list[tuple[str, str, str]]],
    report: chain.Report,
    since: str | None,
) -> str:
    meta = project.meta()
    head = [
        f"# Project {project.slug}",
        "",
        f"- Description: {meta.get('description') or '-'}",
        f"- Exported: {now_iso()} by {who()}, {len(records)} runs" + (f" since {since}" if since else ""),
        f"- Hash chain: {_chain_line(report)}",
    ]
    head += [f"  - {p.kind} {p.where}: {p.detail}" for p in report.problems]
    parts = ["\n".join(head)]
    for run_id, record in records:
        body = render(record, events(project, run_id), linked.get(run_id, []), MARKDOWN)
        parts.append(f"## Run {run_id} ({record.get('kind') or 'run'}, {record.get('status') or '-'})\n\n{body}")
    return "\n\n".join(parts)


def _tar(project: Project, run_ids: list[str], report: chain.Report, since: str | None, redactor: Redactor) -> bytes:
    """The project's files (masked again) under `<slug>/`, MANIFEST.json and SHA256SUMS first."""
    names = [name for name in PROJECT_FILES if (project.logs / name).is_file()]
    names += sorted(p.name for p in project.logs.glob(f"{chain.TOMBSTONE_PREFIX}*.json"))
    for run_id in run_ids:
        names += [
            p.name
            for p in (project.result_path(run_id), project.events_path(run_id), project.patch_path(run_id))
            if p.is_file()
        ]
    files = {
        name: redactor.text((project.logs / name).read_bytes().decode("utf-8", "replace")).encode("utf-8")
        for name in names
    }
    listed = [
        {"path": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()} for name, data in files.items()
    ]
    manifest = {
        "slug": project.slug,
        "exported_at": now_iso(),
        "by": who(),
        "since": since,
        "runs": run_ids,
        "chain": {"ok": report.ok, "summary": _chain_line(report), "problems": [vars(p) for p in report.problems]},
        "files": listed,
    }
    sums = "".join(f"{entry['sha256']}  {entry['path']}\n" for entry in listed)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as bundle:
        members = {
            "MANIFEST.json": json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8") + b"\n",
            "SHA256SUMS": sums.encode("utf-8"),
            **files,
        }
        for name, data in members.items():
            info = tarfile.TarInfo(f"{project.slug}/{name}")
            info.size, info.mtime, info.mode = len(data), int(time.time()), 0o644
            bundle.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
