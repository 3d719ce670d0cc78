"""An agent run's changes to the user's repo, reviewed: diff, merge, drop, and which runs still wait for review.

Plain functions that return data, so the CLI (`dispatch diff / merge / drop`), the console and the MCP tools
are thin layers over one implementation. Every capture, merge and drop is appended to the project's
changes.jsonl, which is how "changes to review" is known without asking git about every run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.audit.store import Project, now_iso
from core.errors import UsageError
from core.fsutil import append_json_line, read_json_lines
from core.redact import Redactor
from core.worktree import Worktree


def record(project: Project, action: str, **data: Any) -> None:
    append_json_line(project.changes_log, {"action": action, "at": now_iso(), **data})


def history(project: Project) -> list[dict[str, Any]]:
    return read_json_lines(project.changes_log)[0]


def states(project: Project) -> dict[str, dict[str, Any]]:
    """Each branch's last recorded action (created, captured, merged or dropped), by branch name."""
    last: dict[str, dict[str, Any]] = {}
    for entry in history(project):
        if entry.get("branch"):
            last[entry["branch"]] = entry
    return last


def pending(project: Project) -> list[dict[str, Any]]:
    """Branches whose last capture changed files, in a run that ended ok, and that were not merged or dropped
    since: the inbox's "changes to review"."""
    waiting = []
    for entry in states(project).values():
        if entry.get("action") != "captured" or not entry.get("files"):
            continue
        try:
            status = project.read_run(entry["run_id"]).get("status")
        except (OSError, ValueError):
            continue
        if status == "ok":
            waiting.append(entry)
    return waiting


def target(project: Project, run_id: str | None = None) -> tuple[str, dict[str, Any], Worktree]:
    """The run whose changes a command is about (the project's newest agent run with a worktree unless named),
    its record, and its worktree."""
    chosen: dict[str, Any] | None = None
    if run_id is not None:
        chosen = project.named_run(run_id)
    else:
        for candidate in reversed(project.run_ids()):
            try:
                data = project.read_run(candidate)
            except (OSError, ValueError):
                continue
            if data.get("worktree") and data.get("kind") != "review":
                chosen, run_id = data, candidate
                break
    if chosen is None or run_id is None:
        raise UsageError(
            f"project '{project.slug}' has no agent run with changes to a repo",
            "run an agent with --cwd inside a git repository first",
        )
    if not chosen.get("worktree"):
        raise UsageError(
            f"run {run_id} did not work in a git worktree, so it has no changes to review",
            f"see `dispatch runs --slug {project.slug}`",
        )
    return run_id, chosen, Worktree.from_dict(chosen["worktree"])


def diff(project: Project, run_id: str | None = None, *, stat: bool = False, color: bool = False) -> dict[str, Any]:
    """The run's changes against its base, from its branch (or, once dropped, from the patch in the trail)."""
    run_id, data, tree = target(project, run_id)
    redactor = Redactor.from_environment()
    if tree.branch_exists():
        return {
            "run_id": run_id,
            "branch": tree.branch,
            "source": "branch",
            "text": redactor.text(tree.patch(stat=stat, color=color)),
            "changes": tree.changes(),
        }
    patch = (data.get("changes") or {}).get("patch")
    if not patch:
        raise UsageError(f"the changes of run {run_id} were dropped and none were kept", "nothing to show")
    try:
        text = Path(patch).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UsageError(
            f"the branch {tree.branch} is gone and its patch cannot be read: {exc.strerror}", "nothing to show"
        ) from None
    return {"run_id": run_id, "branch": tree.branch, "source": "patch", "text": text, "changes": data.get("changes")}


def merge(project: Project, run_id: str | None = None, *, squash: bool = False) -> dict[str, Any]:
    """Land the run's branch on the user's current branch; a conflict or a refusal changes nothing (see
    Worktree.merge) and raises."""
    with project.lock().acquire(wait=0.0):
        run_id, data, tree = target(project, run_id)
        if not tree.branch_exists():
            raise UsageError(f"the changes of run {run_id} were dropped", "nothing to merge")
        goal = " ".join(str(data.get("spec") or "").split())[:60]
        what = f"{tree.branch}" + (f": {goal}" if goal else "")
        outcome = tree.merge(squash, f"dispatch: {what}" if squash else f"Merge {what}")
        verify = data.get("verify") or {}
        outcome.update(
            run_id=run_id,
            branch=tree.branch,
            repo=str(tree.repo),
            run_status=data.get("status"),
            verified=verify.get("passed"),
        )
        if outcome["merged"]:
            record(
                project,
                "merged",
                run_id=run_id,
                branch=tree.branch,
                mode=outcome["mode"],
                commit=outcome["commit"],
                repo=str(tree.repo),
            )
        return outcome


def drop(project: Project, run_id: str | None = None) -> dict[str, Any]:
    """Remove the run's worktree and branch (a directory already deleted by hand is pruned); the patch stays."""
    with project.lock().acquire(wait=0.0):
        run_id, _, tree = target(project, run_id)
        existed = tree.branch_exists() or tree.path.exists()
        tree.remove()
        if existed:
            record(project, "dropped", run_id=run_id, branch=tree.branch, repo=str(tree.repo))
        return {"run_id": run_id, "branch": tree.branch, "path": str(tree.path), "dropped": existed}


def worktrees(project: Project) -> list[dict[str, Any]]:
    """The worktrees dispatch made for this project (one per branch), with what became of each."""
    seen: dict[str, dict[str, Any]] = {}
    last = states(project)
    for entry in history(project):
        if entry.get("action") in ("created", "captured") and entry.get("path"):
            seen[entry["branch"]] = {"branch": entry["branch"], "path": entry["path"], "run_id": entry["run_id"]}
    for branch, info in seen.items():
        final = last.get(branch, {})
        state = final.get("action", "captured")
        if state == "captured":
            state = "review" if final.get("files") else "unchanged"
        elif state == "created":
            state = "not captured"  # the run was killed before it ended; its edits are in the worktree, uncommitted
        info.update(state=state, exists=Path(info["path"]).is_dir())
    return list(seen.values())
