"""The index's full integrity check, in a process of its own so that no command waits on it.

At 100k runs SQLite's quick_check plus FTS5's integrity-check read the whole index (about 3 s here). A command
that opens the index when the last check is over a day old starts this module detached and goes on; a damaged
database is still caught inline (any query that hits the damage rebuilds it), so the daily check only finds
what no query has touched. One checker runs at a time (an flock beside the index); `dispatch reindex --check`
runs the same check in the foreground.
"""

from __future__ import annotations

import fcntl
import os
import sys
from pathlib import Path

import core

_ENV_KEYS = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


def start(index_path: Path, projects: Path) -> None:
    """Start a detached checker: forked twice, so no caller (the console included) is left with a child to reap."""
    argv = [sys.executable, "-m", "core.audit.checker", str(index_path), str(projects)]
    env = {key: os.environ[key] for key in _ENV_KEYS if key in os.environ}
    env["PYTHONPATH"] = str(Path(core.__file__).resolve().parent.parent)
    actions = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_RDWR, 0) for fd in (0, 1, 2)]
    pid = os.fork()
    if pid == 0:
        try:
            os.posix_spawn(sys.executable, argv, env, file_actions=actions, setsid=True)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def main(argv: list[str]) -> int:
    from core.audit.index_writer import VERIFY_EVERY_S, IndexWriter

    index_path, projects = Path(argv[0]), Path(argv[1])
    fd = os.open(f"{index_path}.check.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return 0
    with IndexWriter.open(index_path, projects=projects, catch_up=True) as index:
        if index.checked_ago() > VERIFY_EVERY_S:
            index.check_now()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
