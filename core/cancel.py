"""Cancel a run another process is running, by signalling that process only once it is proven to be the run's.

A pid alone names nobody for long: the process may have ended and the kernel given its number to another. So the
signal goes out only when all of this holds, checked through a pidfd (which keeps naming the process it was
opened on, whatever the number later means): the project's lock is held; its holder wrote this run's id, the
record's pid and that process's start time, and that it runs nothing else (a CLI run, which SIGTERM interrupts);
and the pid still has that start time once the pidfd is open. A run hosted by a process with other work (an MCP
server, the console, a batch) is not signalled: stopping it would stop the rest too.
"""

from __future__ import annotations

import os
import signal

from core.audit.lock import ProjectLock, is_locked
from core.audit.store import Project
from core.errors import UsageError
from core.pids import process_start


def stop_elsewhere(project: Project, run_id: str) -> bool:
    """Send SIGTERM to the process running `run_id`; False when no process holds the run any more (it ended or
    died; the caller re-reads the record). A process that cannot be proven to be the run's is a UsageError."""
    lock = project.lock()
    info = lock.info()
    if not is_locked(lock.path) or info.get("run_id") != run_id:
        return False
    pid, started = info.get("pid"), info.get("pid_start")
    if not isinstance(pid, int) or pid <= 0 or project.read_run(run_id).get("pid") != pid:
        raise UsageError(
            f"the lock of project '{project.slug}' does not name the process of run {run_id}",
            "stop it where it runs (the console, or the process that started it)",
        )
    if not info.get("sole_run"):
        raise UsageError(
            f"run {run_id} runs in pid {pid}, which hosts other work too (an MCP server, the console "
            "or a batch): a signal would stop all of it",
            "cancel it there (its `cancel` tool, the console's stop key, or Ctrl-C of the batch)",
        )
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return False
    try:
        if started is None or process_start(pid) != started or _holder(lock) != info:
            raise UsageError(
                f"pid {pid} is no longer the process that started run {run_id}",
                "look at the run again with `status`: it has probably ended",
            )
        signal.pidfd_send_signal(handle, signal.SIGTERM)
    except ProcessLookupError:
        return False
    finally:
        os.close(handle)
    return True


def _holder(lock: ProjectLock) -> dict[str, object] | None:
    """The holder's own words, if the lock is still held (a later holder would have written its own)."""
    return lock.info() if is_locked(lock.path) else None
