"""The keeper between dispatch and a child it runs (an agent CLI, a command, a verify step): it makes sure that no
descendant of the child outlives the run, whichever way the run ends.

Measured in RELIABILITY.md: a double-forked daemon leaves both the process group and the session, so a group
kill misses it, and once dispatch itself is SIGKILLed nothing is left to sweep. So dispatch starts the child
through this small process, which

- marks itself a child subreaper (`prctl(PR_SET_CHILD_SUBREAPER)`), so every orphan below it, daemons included,
  is reparented to it rather than to init, and stays findable and reapable;
- watches a lifeline pipe whose write end only dispatch holds: when dispatch closes it (a stop: timeout, stall,
  SIGTERM, SIGINT) or dies (SIGKILL: the kernel closes it), it stops every descendant: TERM, a grace period, KILL;
- when the child exits, sweeps whatever the child left behind the same way (a background job still holding the
  child's stdout would otherwise keep the run open), then exits with the child's status.

It runs as `python -S reaper.py FD GRACE -- ARGV...` and imports nothing from dispatch, so it starts in a few
milliseconds. Linux only (prctl and /proc); elsewhere it still runs the child and its group is all there is.
"""

from __future__ import annotations

import ctypes
import errno
import os
import select
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
_stop_requested = False


def become_subreaper() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def descendants(pid: int) -> list[int]:
    """Every process below pid, zombies included (walks parent links in /proc)."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry))
    found: list[int] = []
    pending = [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def reap(child: int, status: list[int]) -> None:
    """Collect every exited child (orphans come to us as subreaper); remember the direct child's status."""
    while True:
        try:
            pid, code = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid == child:
            status.append(code)


def sweep(child: int, status: list[int], grace: float) -> None:
    """TERM everything below us, wait up to `grace` for it to go, KILL what is left, and reap it all."""
    for signum, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        for pid in descendants(os.getpid()):
            try:
                os.kill(pid, signum)
            except OSError:
                pass
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            reap(child, status)
            if not descendants(os.getpid()):
                return
            time.sleep(0.02)


def _on_stop(signum: int, frame: object) -> None:
    global _stop_requested
    _stop_requested = True


def exit_like(code: int) -> None:
    """Exit with the child's status: its exit code, or death by the same signal."""
    if not os.WIFSIGNALED(code):
        os._exit(os.waitstatus_to_exitcode(code))
    signum = os.WTERMSIG(code)
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    os._exit(128 + signum)


def main(argv: list[str]) -> None:
    lifeline, grace, command = int(argv[0]), float(argv[1]), argv[3:]
    become_subreaper()
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, _on_stop)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    os.set_inheritable(lifeline, False)
    try:
        # Python ignores SIGPIPE; the child gets the default back, as subprocess does for its children.
        child = os.posix_spawnp(command[0], command, dict(os.environ), setsigdef=(signal.SIGPIPE, signal.SIGXFSZ))
    except OSError as exc:
        os.write(2, f"cannot start {command[0]}: {exc.strerror or exc}\n".encode())
        os._exit(127)
    # The child has our stdio; we keep none of it, so the child's pipes close when the child's family is gone.
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    status: list[int] = []
    while not status:
        try:
            ready, _, _ = select.select([lifeline, wake_read], [], [])
        except InterruptedError:
            ready = []
        if wake_read in ready:
            try:
                os.read(wake_read, 512)
            except BlockingIOError:
                pass
        reap(child, status)
        if status:
            break
        if _stop_requested or lifeline in ready and not _read_or_eof(lifeline):
            sweep(child, status, grace)
            break
    sweep(child, status, min(grace, 1.0))
    exit_like(status[0] if status else signal.SIGKILL)


def _read_or_eof(fd: int) -> bool:
    """False at EOF (dispatch closed the lifeline, or died)."""
    try:
        return bool(os.read(fd, 64))
    except OSError as exc:
        return exc.errno in (errno.EAGAIN, errno.EINTR)


if __name__ == "__main__":
    main(sys.argv[1:])
