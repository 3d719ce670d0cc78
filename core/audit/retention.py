"""Removing runs by policy (`prune`) or a whole project (`rm`), leaving a tombstone so the trail still verifies.

Both take the project's lock first, so a running project is refused and no run starts while files go. The
tombstone (what was removed, each record's chain digests, when, by whom) is written before any file is removed:
prune's is sealed into the project's chain (core/audit/chain.py), so verify walks across the hole; a crash midway
leaves records the tombstone already lists, which verify accepts and the next prune finishes. rm's tombstone
outlives the project, in the projects dir's `.dispatch-tombstones/`. Index rows go in the same command.
"""

from __future__ import annotations

import getpass
import shutil
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core import changes, paths
from core.audit import chain
from core.audit.index_writer import IndexWriter, recover
from core.audit.lock import ProjectLock
from core.audit.store import Project, now_iso
from core.errors import DispatchError, ProjectBusy
from core.fsutil import atomic_write_json, read_json

REMOVED_PROJECTS = ".dispatch-tombstones"


@dataclass
class Removal:
    """What one prune or rm of a project removed (or, dry, would remove), and what it left to warn about."""

    slug: str
    run_ids: list[str]
    tombstone: Path | None = None
    warnings: tuple[str, ...] = ()
    kept: list[str] = field(default_factory=list)
    """Old enough to go, but kept: an agent's changes that still wait for `dispatch merge` or `drop`."""


def who() -> str:
    """The user and host a tombstone names as the remover."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def locked(project: Project, doing: str) -> ProjectLock:
    """The project's lock; a running project is refused (exit 6). Call `recover` first, so a run whose process
    died is marked interrupted (and sealed) rather than counted as running."""
    try:
        return project.lock().acquire(wait=0.0)
    except ProjectBusy as exc:
        raise ProjectBusy(
            f"project '{project.slug}' is running, so it cannot be {doing} ({exc.message.split(': ', 1)[-1]})",
            "try again when its run has finished",
        ) from None


def _records(project: Project) -> list[tuple[str, dict[str, Any]]]:
    """(run id, record) of every run, oldest start first; an unreadable record still counts, as oldest."""
    found = []
    for run_id in project.run_ids():
        try:
            record = project.read_run(run_id)
        except (OSError, ValueError):
            record = {}
        found.append((run_id, record if isinstance(record, dict) else {}))
    return sorted(found, key=lambda pair: (str(pair[1].get("started_at") or ""), pair[0]))


def _removed(run_id: str, record: dict[str, Any]) -> dict[str, Any]:
    link = chain.link_of(record) or {}
    return {
        "run_id": run_id,
        "seq": link.get("seq"),
        "sha256": link.get("sha256"),
        "prev": link.get("prev"),
        "status": record.get("status"),
        "started_at": record.get("started_at"),
    }


def prune(project: Project, older_than_s: float, keep_last: int, dry_run: bool) -> Removal:
    """Remove the runs that started over `older_than_s` ago, except the newest `keep_last` and those whose changes
    still wait for review (their record is what `dispatch merge` and `drop` read)."""
    cutoff = _cutoff(older_than_s)
    notes = recover(project)
    with locked(project, "pruned"):
        records = _records(project)
        candidates = records[:-keep_last] if keep_last else records
        old = [(run_id, record) for run_id, record in candidates if str(record.get("started_at") or "") < cutoff]
        waiting = {str(entry.get("run_id")) for entry in changes.pending(project)}
        chosen = [(run_id, record) for run_id, record in old if run_id not in waiting]
        removal = Removal(
            project.slug,
            [run_id for run_id, _ in chosen],
            warnings=tuple(notes),
            kept=[run_id for run_id, _ in old if run_id in waiting],
        )
        if dry_run or not chosen:
            return removal
        entry = {
            "kind": "tombstone",
            "status": "removed",
            "action": f"prune runs older than {older_than_s / 86400:g} days, keeping the newest {keep_last}",
            "at": now_iso(),
            "by": who(),
            "removed": [_removed(run_id, record) for run_id, record in chosen],
        }
        name = chain.tombstone_name(chain.next_seq(project.logs))
        atomic_write_json(project.logs / name, chain.seal(project.logs, name, entry))
        removal.tombstone = project.logs / name
        for run_id in removal.run_ids:
            for path in (project.result_path(run_id), project.events_path(run_id), project.patch_path(run_id)):
                path.unlink(missing_ok=True)
        project.recount()
    removal.warnings += _reindexed(lambda index: index.sync_project(project.slug))
    return removal


def _cutoff(older_than_s: float) -> str:
    """The start a run must be before to be older than the age. An age reaching back past year 1 gives "", which
    no start sorts before: no run can be that old, so it matches none (rather than failing on the date)."""
    try:
        return datetime.fromtimestamp(time.time() - older_than_s, UTC).isoformat(timespec="milliseconds")
    except (ValueError, OverflowError, OSError):  # OSError: EOVERFLOW from the C library for the largest ages
        return ""


def rm(project: Project) -> Removal:
    """Remove the whole project: its runs, worktrees and index rows; the tombstone stays outside it."""
    repos: dict[str, set[str]] = {}
    warnings = recover(project)
    with locked(project, "removed"):
        records = _records(project)
        for _, record in records:
            if isinstance(worktree := record.get("worktree"), dict) and worktree.get("repo"):
                repos.setdefault(str(worktree["repo"]), set()).update(
                    [str(worktree["branch"])] if worktree.get("branch") else []
                )
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        tombstone = paths.projects_dir() / REMOVED_PROJECTS / f"{project.slug}-{stamp}.json"
        entry: dict[str, Any] = {
            "kind": "tombstone",
            "status": "removed",
            "action": "rm",
            "slug": project.slug,
            "at": now_iso(),
            "by": who(),
            "head": _head(project),
            "removed": [_removed(run_id, record) for run_id, record in records],
        }
        entry["sha256"] = chain.digest(entry)
        atomic_write_json(tombstone, entry)
        project.meta_path.unlink(missing_ok=True)  # gone from every list at once, even if the rest is slow to go
        shutil.rmtree(project.root)
    warnings += [
        f"git could not prune the removed worktrees of {repo} ({why}); run `git worktree prune` there"
        for repo in sorted(repos)
        if (why := _prune_worktrees(Path(repo)))
    ]
    warnings += [
        f"kept {len(kept)} branch{'es' if len(kept) > 1 else ''} in {repo}, which may hold changes not landed: "
        f"{' '.join(kept)} (`git -C {repo} branch -D {' '.join(kept)}` once you are sure)"
        for repo, branches in sorted(repos.items())
        if (kept := _branches_left(Path(repo), branches))
    ]
    warnings += _reindexed(lambda index: index.sync())
    return Removal(project.slug, [run_id for run_id, _ in records], tombstone, tuple(warnings))


def _head(project: Project) -> dict[str, Any] | None:
    try:
        head: dict[str, Any] = read_json(project.logs / chain.HEAD)
        return head
    except (OSError, ValueError):
        return None


def _prune_worktrees(repo: Path) -> str | None:
    """Let the user's repo forget the worktrees removed with the project (their branches stay); why not, or None."""
    from core.worktree import git

    try:
        git(["worktree", "prune"], repo)
    except (DispatchError, OSError) as exc:
        return str(exc)
    return None


def _branches_left(repo: Path, branches: set[str]) -> list[str]:
    """Which of the removed worktrees' branches the repo still has: removing a project never deletes work."""
    from core.worktree import git

    if not branches:  # `git branch --list` with no pattern would list them all
        return []
    try:
        listed = git(["branch", "--list", "--format=%(refname:short)", *sorted(branches)], repo)
    except (DispatchError, OSError):
        return []
    return sorted(line.strip() for line in listed.stdout.splitlines() if line.strip())


def _reindexed(action: Callable[[IndexWriter], object]) -> tuple[str, ...]:
    """Bring the index in step with the removed files; a failure is a warning (`dispatch reindex` repairs it)."""
    try:
        with IndexWriter.open() as index:
            action(index)
    except Exception as exc:  # noqa: BLE001 - the files are already removed; the index is rebuildable
        return (f"the run index was not updated ({type(exc).__name__}: {exc}); `dispatch reindex` repairs it",)
    return ()


def removed_projects() -> list[tuple[Path, dict[str, Any]]]:
    """Every rm tombstone, oldest first, with its content (an unreadable one as {})."""
    found = []
    for path in sorted((paths.projects_dir() / REMOVED_PROJECTS).glob("*.json")):
        try:
            data = read_json(path)
        except (OSError, ValueError):
            data = {}
        found.append((path, data if isinstance(data, dict) else {}))
    return found
