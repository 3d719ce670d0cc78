"""Git worktrees for agent runs: each run works on its own branch in its own checkout of the user's repo, so
the user's working tree, index and current branch are never touched until they choose to merge.

Every git call is an argv list (never a shell) with a timeout, stdin from /dev/null and an environment
without the GIT_DIR-style variables a caller (a hook, say) may have set. Merging builds the commit first
(`git merge-tree --write-tree`, which touches no working tree) and then fast-forwards the user's branch to
it, so a conflict stops with nothing changed, and git itself refuses to overwrite a file the user has
uncommitted changes in.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from core import paths
from core.errors import DispatchError, UsageError

GIT_TIMEOUT = 120.0
_STRIPPED = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
    "GIT_CEILING_DIRECTORIES",
)
FALLBACK_IDENTITY = ("dispatch", "dispatch@localhost")
"""Who commits when the repo has no user.name / user.email configured."""
JUNK = (":(exclude,glob)**/__pycache__/**", ":(exclude,glob)**/*.py[co]", ":(exclude,glob)**/.pytest_cache/**")
"""Left by running tests; never part of an agent's change, even in a repo whose .gitignore forgets them."""


class GitError(DispatchError):
    """A git command failed; the message carries git's own words."""


class MergeConflict(DispatchError):
    """The run's changes do not merge cleanly; nothing was changed."""

    def __init__(self, message: str, hint: str, paths: list[str]) -> None:
        super().__init__(message, hint)
        self.paths = paths


def git(
    args: list[str], cwd: Path, *, check: bool = True, env: dict[str, str] | None = None, timeout: float = GIT_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in _STRIPPED}
    environ.update(GIT_TERMINAL_PROMPT="0", LC_ALL="C", **(env or {}))
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=environ,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
        )
    except FileNotFoundError:
        if not cwd.is_dir():  # subprocess says the same for a missing cwd as for a missing git
            raise GitError(
                f"{cwd} is not there any more", "put the repository back where it was, or `dispatch rm` the project"
            ) from None
        raise GitError("git is not installed", "install git to give agents a worktree of your repo") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"`git {' '.join(args[:2])}` took longer than {timeout:g} s", "try again") from None
    if check and done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise GitError(
            f"`git {' '.join(args[:2])}` failed in {cwd}: {said[-1] if said else done.returncode}", "see git's message"
        )
    return done


def repo_of(directory: Path) -> Path | None:
    """The top of the git working tree holding `directory`, or None when it is not in one (or git is absent)."""
    try:
        done = git(["rev-parse", "--show-toplevel"], directory, check=False)
    except GitError:
        return None
    return Path(done.stdout.strip()).resolve() if done.returncode == 0 and done.stdout.strip() else None


def resolve_commit(repo: Path, ref: str) -> str:
    done = git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], repo, check=False)
    if done.returncode != 0:
        what = "the repo has no commit yet" if ref == "HEAD" else f"no commit '{ref}' in {repo}"
        raise UsageError(
            f"cannot start a worktree: {what}", "commit first, or pass --base a branch, tag or commit that exists"
        )
    return done.stdout.strip()


def identity(repo: Path) -> dict[str, str]:
    """Author and committer variables, only for what the repo's own config leaves unset."""
    env: dict[str, str] = {}
    for key, value, names in (
        ("user.name", FALLBACK_IDENTITY[0], ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME")),
        ("user.email", FALLBACK_IDENTITY[1], ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL")),
    ):
        if not git(["config", key], repo, check=False).stdout.strip():
            env.update(dict.fromkeys(names, value))
    return env


@contextmanager
def repo_lock(repo: Path) -> Iterator[None]:
    """One worktree add/remove at a time per repo, across processes (an flock that dies with its holder)."""
    common = git(["rev-parse", "--path-format=absolute", "--git-common-dir"], repo).stdout.strip()
    locks = paths.state_dir() / "git-locks"
    locks.mkdir(parents=True, exist_ok=True)
    fd = os.open(
        locks / f"{hashlib.sha1(common.encode()).hexdigest()[:16]}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600
    )
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@dataclass
class Worktree:
    """A run's checkout: on `branch`, started from `base`, at `path`; `repo` is the user's working tree."""

    repo: Path
    path: Path
    branch: str
    base: str
    subdir: str = ""
    """Where --cwd was inside the repo, so the agent starts in the same place in its checkout."""

    @property
    def workdir(self) -> Path:
        return self.path / self.subdir if self.subdir else self.path

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "repo": str(self.repo), "path": str(self.path)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Worktree:
        return cls(
            Path(data["repo"]),
            Path(data["path"]),
            str(data["branch"]),
            str(data["base"]),
            str(data.get("subdir") or ""),
        )

    def exists(self) -> bool:
        return self.path.is_dir() and (self.path / ".git").exists()

    def branch_exists(self) -> bool:
        return (
            git(["rev-parse", "--verify", "--quiet", f"refs/heads/{self.branch}"], self.repo, check=False).returncode
            == 0
        )

    def create(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with repo_lock(self.repo):
            git(["worktree", "add", "--quiet", "-b", self.branch, str(self.path), self.base], self.repo)

    def reattach(self) -> None:
        """Bring back a checkout whose directory was deleted by hand, at the same path (Claude Code resumes a
        session only from the directory it started in)."""
        if self.exists():
            return
        if not self.branch_exists():
            raise UsageError(f"the branch {self.branch} is gone (dropped)", "start a new run instead of resuming")
        with repo_lock(self.repo):
            git(["worktree", "prune"], self.repo)
            git(["worktree", "add", "--quiet", str(self.path), self.branch], self.repo)

    def head(self) -> str:
        return git(["rev-parse", "--verify", f"refs/heads/{self.branch}^{{commit}}"], self.repo).stdout.strip()

    def commit_all(self, message: str) -> bool:
        """Commit whatever the agent left uncommitted on the run's branch; False when there was nothing."""
        git(["add", "-A", "--", ".", *JUNK], self.path)
        if git(["diff", "--cached", "--quiet"], self.path, check=False).returncode == 0:
            return False
        git(
            ["-c", "commit.gpgsign=false", "commit", "--quiet", "--no-verify", "-m", message],
            self.path,
            env=identity(self.repo),
        )
        return True

    def uncommitted(self) -> list[str]:
        """The paths in the checkout that differ from the branch's last commit (test caches left out)."""
        done = git(
            ["status", "--porcelain", "-z", "--untracked-files=all", "--no-renames", "--", ".", *JUNK], self.path
        )
        return sorted({entry[3:] for entry in done.stdout.split("\0") if entry})

    def changes(self) -> dict[str, Any]:
        """What the branch changes against its base: files with status and +/- counts, and the totals."""
        head = self.head()
        statuses = _pairs(git(["diff", "--name-status", "-z", "--no-renames", self.base, head], self.repo).stdout)
        counts = git(["diff", "--numstat", "-z", "--no-renames", self.base, head], self.repo).stdout.split("\0")
        files = []
        for entry in filter(None, counts):
            added, removed, path = entry.split("\t", 2)
            files.append(
                {
                    "path": path,
                    "status": _STATUS.get(statuses.get(path, "M")[:1], "modified"),
                    "insertions": int(added) if added.isdigit() else 0,
                    "deletions": int(removed) if removed.isdigit() else 0,
                    "binary": added == "-",
                }
            )
        return {
            "branch": self.branch,
            "base": self.base,
            "head": head,
            "files": files,
            "insertions": sum(f["insertions"] for f in files),
            "deletions": sum(f["deletions"] for f in files),
        }

    def patch(self, stat: bool = False, color: bool = False) -> str:
        args = ["diff", "--no-renames", f"--color={'always' if color else 'never'}"]
        args += ["--stat"] if stat else ["--binary"]
        return git([*args, self.base, self.head()], self.repo).stdout

    def remove(self) -> None:
        """Remove the checkout (or prune it when its directory is already gone) and delete the branch."""
        with repo_lock(self.repo):
            if self.path.exists():
                git(["worktree", "remove", "--force", "--force", str(self.path)], self.repo)
            git(["worktree", "prune"], self.repo)
            if self.branch_exists():
                git(["branch", "-D", self.branch], self.repo)

    def merge(self, squash: bool, message: str) -> dict[str, Any]:
        """Land the branch on the user's current branch: fast-forward when it can, else a merge (or squash)
        commit. Raises MergeConflict, or GitError when git refuses to overwrite uncommitted changes; in both
        cases the user's tree is as it was."""
        tip, user = self.head(), resolve_commit(self.repo, "HEAD")
        if git(["merge-base", "--is-ancestor", tip, user], self.repo, check=False).returncode == 0:
            return {"merged": False, "mode": "already", "commit": user}
        fast = git(["merge-base", "--is-ancestor", user, tip], self.repo, check=False).returncode == 0
        if fast and not squash:
            target, mode = tip, "fast-forward"
        else:
            done = git(["merge-tree", "--write-tree", "-z", "--name-only", user, tip], self.repo, check=False)
            if done.returncode == 1:
                conflicted = sorted(set(filter(None, done.stdout.split("\0\0")[0].split("\0")[1:])))
                raise MergeConflict(
                    f"{self.branch} conflicts with your branch in: {', '.join(conflicted)}",
                    "nothing was changed; resolve it by hand (git merge "
                    f"{self.branch}) or resume the run with the conflict explained",
                    conflicted,
                )
            if done.returncode != 0:
                raise GitError(f"git merge-tree failed: {done.stderr.strip()}", "see git's message")
            tree = done.stdout.split("\0")[0]
            parents = ["-p", user] if squash else ["-p", user, "-p", tip]
            target = git(
                ["commit-tree", tree, *parents, "-m", message], self.repo, env=identity(self.repo)
            ).stdout.strip()
            mode = "squash" if squash else "merge"
        done = git(["merge", "--ff-only", "--quiet", target], self.repo, check=False)
        if done.returncode != 0:
            lines = done.stderr.strip().splitlines() or ["merge failed"]
            paths = [line.strip() for line in lines if line.startswith(("\t", "    "))]
            raise GitError(
                f"git refused to update your tree: {lines[0]}" + (f" ({', '.join(paths)})" if paths else ""),
                "commit or stash your changes to those files, then merge again; nothing was changed",
            )
        return {"merged": True, "mode": mode, "commit": resolve_commit(self.repo, "HEAD")}


_STATUS = {"A": "added", "M": "modified", "D": "deleted", "T": "type_changed"}


def _pairs(output: str) -> dict[str, str]:
    """`--name-status -z` output (status NUL path NUL ...) as path -> status letter."""
    parts = output.split("\0")
    return {parts[i + 1]: parts[i] for i in range(0, len(parts) - 1, 2) if parts[i]}
