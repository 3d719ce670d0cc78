"""Where an agent run works, and what it leaves for review.

With --cwd inside a git repository (or, without --cwd, when the spec's Inputs name paths in one) the agent
gets its own worktree of that repo, on a new branch `dispatch/<slug>/<run-id>` from HEAD (or --base), under
the project dir; a resume (or a review) goes back to the same worktree at the same path, since Claude Code
resumes a session only from the directory it started in. After the run its uncommitted edits are committed
on that branch and summarised for the envelope, with the patch kept in the trail. With --in-place the agent
works in --cwd itself; otherwise, outside a repository (said on stderr when --cwd named it), it works in the
project dir as it always has.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core import changes
from core import spec as specs
from core.audit.store import Project
from core.backends.agent import remove_context_block
from core.errors import UsageError
from core.redact import Redactor
from core.worktree import Worktree, repo_of, resolve_commit


@dataclass
class Workspace:
    mode: str
    """worktree, in_place or project."""
    path: Path
    """The agent's working directory."""
    worktree: Worktree | None = None
    fresh: bool = False
    """A worktree still to be made (by open) rather than one an earlier run of the session made."""
    notice: str | None = None
    """Why the agent does not work where the user may expect, for stderr."""

    def open(self, project: Project, run_id: str) -> None:
        """Make the worktree of a new run (its branch named after the run), or bring back a resumed one."""
        if self.worktree is None:
            return
        if self.fresh:
            tree = self.worktree
            tree.path = project.worktrees / run_id
            tree.branch = f"dispatch/{project.slug}/{run_id}"
            tree.create()
            changes.record(
                project, "created", run_id=run_id, branch=tree.branch, path=str(tree.path), repo=str(tree.repo)
            )
        else:
            self.worktree.reattach()
        self.path = self.worktree.workdir

    def describe(self) -> dict[str, Any]:
        return {"mode": self.mode, "path": str(self.path), **(self.worktree.to_dict() if self.worktree else {})}

    def capture(
        self, project: Project, run_id: str, context_file: str | None, redactor: Redactor
    ) -> dict[str, Any] | None:
        """Commit what the agent left on the run's branch and say what the branch changes; None outside a
        worktree. The context file's dispatch block is taken out first: it is ours, not the agent's work."""
        if context_file and self.mode != "project":
            remove_context_block(self.path / context_file)
        if self.worktree is None:
            return None
        tree = self.worktree
        tree.commit_all(f"dispatch: run {run_id} ({project.slug})")
        summary = tree.changes()
        summary["patch"] = None
        if summary["files"]:
            patch = project.patch_path(run_id)
            patch.write_text(redactor.text(tree.patch()), encoding="utf-8")
            summary["patch"] = str(patch)
        changes.record(
            project,
            "captured",
            run_id=run_id,
            branch=tree.branch,
            head=summary["head"],
            files=len(summary["files"]),
            path=str(tree.path),
            repo=str(tree.repo),
        )
        return summary


def named_directory(spec_text: str) -> Path | None:
    """Where the spec's Inputs point when no --cwd was given: here, when a relative input path exists here, else
    the top of the repository holding the first absolute input path that exists (or its directory)."""
    here = Path.cwd()
    for _, named in specs.input_paths(specs.parse(spec_text)):
        path = Path(named)
        if path.is_absolute() and path.exists():
            directory = path if path.is_dir() else path.parent
            return repo_of(directory) or directory
        if not path.is_absolute() and specs.path_exists(here, named):
            return here
    return None


def plan(
    project: Project,
    *,
    cwd: Path | None,
    kind: str,
    parent_run_id: str | None,
    read_only: bool,
    in_place: bool,
    base: str | None,
    spec_text: str = "",
) -> Workspace:
    """Decide where an agent run works, checking what can be checked before anything is recorded."""
    if parent_run_id and kind in ("resume", "review"):
        try:
            earlier = project.read_run(parent_run_id).get("worktree")
        except (OSError, ValueError):
            earlier = None
        if earlier:
            if base:
                raise UsageError("--base applies to a new run", "a resume continues on its run's own branch")
            tree = Worktree.from_dict(earlier)
            return Workspace("worktree", tree.workdir, tree)
    if in_place:
        if cwd is None:
            raise UsageError("--in-place needs --cwd", "pass the directory the agent should work in")
        return Workspace("in_place", cwd.resolve())
    explicit = cwd is not None
    if cwd is None and not read_only:
        cwd = named_directory(spec_text)
    if cwd is None or read_only:
        if base:
            raise UsageError("--base needs --cwd inside a git repository", "pass --cwd the repo to branch from")
        return Workspace("project", project.root)
    directory = cwd.resolve()
    repo = repo_of(directory)
    if repo is None:
        if base:
            raise UsageError(
                f"--base needs a git repository, and {directory} is not in one",
                "pass --cwd a directory inside a git repository",
            )
        return Workspace(
            "project",
            project.root,
            notice=(
                f"no worktree without git: {directory} is not inside a git repository, so the agent works in the "
                f"project dir {project.root}; pass --in-place to let it work in {directory} itself"
            )
            if explicit
            else None,
        )
    tree = Worktree(
        repo,
        project.worktrees,
        "",
        resolve_commit(repo, base or "HEAD"),
        directory.relative_to(repo).as_posix() if directory != repo else "",
    )
    return Workspace("worktree", project.worktrees, tree, fresh=True)
