"""One llama-server per DISPATCH_HOME, shared by every dispatch: started on a free 127.0.0.1 port, found again
through a state file, guarded by an flock so two dispatches never start two, restarted when found dead.
A dispatch holds a shared flock (a `ServerUse`) while it talks to the server; replacing a live server (its
settings changed in config.toml) needs that lock exclusively, so it waits for the dispatches using it instead of
cutting their answers off.

The server is spawned with posix_spawn in a session of its own, so it outlives the dispatch that started it and
no Popen object is left behind to warn that its child still runs. Its stdin is /dev/null, its environment is
chosen (a caller's LLAMA_ARG_* variables would silently change its flags), its output goes to a log file.
"""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from core import paths, pids, procgroup
from core.audit.lock import ProjectLock
from core.audit.store import now_iso
from core.config import ModelConfig
from core.errors import BackendUnavailable, ProjectBusy
from core.fsutil import atomic_write_json, read_json
from core.local import runtime
from core.local.weights import Progress

HOST = "127.0.0.1"
STATE_NAME = "local-server.json"
LOCK_NAME = "local-server.lock"
LOG_NAME = "local-server.log"
USERS_NAME = "local-server.users"
START_DEADLINE = 120.0
STOP_GRACE = 10.0
REUSE_PATIENCE = 10.0
"""Seconds a live server of ours may take to answer /health before it is replaced: one busy generating for
another dispatch on a loaded machine must not be killed for a slow answer."""
DEFAULT_CONTEXT = 4096
DEFAULT_THREADS = 1
"""Measured with the built-in model on this shared 2-core machine (load average ~20), hello.md, 6 requests each:
-t 1 generated 8.2 tokens/s (prompt 27/s), -t 2 0.6 tokens/s (prompt 11/s): two threads spin against everyone
else's work. `threads` on the model overrides it on a machine of your own."""
_PORT_TRIES = 3
_ENV_KEYS = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


@dataclass(frozen=True)
class ServerSpec:
    """What to run: the same spec finds the same server again; a changed one replaces it."""

    command: tuple[str, ...]
    """The argv prefix of a server that takes llama-server's flags: our xllamacpp script, or the user's binary."""
    model_path: Path
    ctx_size: int = DEFAULT_CONTEXT
    threads: int = 1
    extra_args: tuple[str, ...] = ()

    @classmethod
    def for_model(cls, model: ModelConfig, progress: Progress | None = None) -> ServerSpec:
        """May join the built-in weights on first use (seconds): call it off the event loop."""
        threads = model.options.get("threads", DEFAULT_THREADS)
        if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
            raise BackendUnavailable(f"model '{model.name}': threads must be a positive integer", "e.g. threads = 1")
        return cls(
            command=tuple(runtime.server_command(model)),
            model_path=runtime.weights(model, progress),
            ctx_size=model.context_window or DEFAULT_CONTEXT,
            threads=threads,
            extra_args=tuple(model.args),
        )

    @property
    def own_binary(self) -> bool:
        return self.command[0] != sys.executable

    def argv(self, port: int) -> list[str]:
        # --no-repack: on these VMs the AMX-repacked kernels of a llama-server built here died with SIGILL
        # (CPUID reports AMX, the hypervisor does not enable it).
        return [
            *self.command,
            "--model",
            str(self.model_path),
            "--host",
            HOST,
            "--port",
            str(port),
            "--threads",
            str(self.threads),
            "--ctx-size",
            str(self.ctx_size),
            "--parallel",
            "1",
            "--alias",
            "local",
            "--no-repack",
            "--no-webui",
            "--offline",
            *self.extra_args,
        ]


@dataclass
class ServerState:
    pid: int
    port: int
    model_path: str
    started: str
    log: str
    argv: list[str] = field(default_factory=list)
    ctx_size: int = DEFAULT_CONTEXT
    pid_start: int | None = None
    """The process's start time (pids.process_start): with the pid it names the server for good, whatever
    its command line says (a `bin` that is a script runs as its interpreter)."""

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}/v1"

    def matches(self, spec: ServerSpec) -> bool:
        return self.argv == spec.argv(self.port)


class LocalServer:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or paths.state_dir()
        self.state_path = self.directory / STATE_NAME
        self.log_path = self.directory / LOG_NAME
        self.started: ServerState | None = None
        """The server this manager started (rather than found running), so the caller can say so."""

    def state(self) -> ServerState | None:
        """The recorded server, or None when there is none or the record is unreadable (then it is stale)."""
        try:
            return ServerState(**read_json(self.state_path))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError):
            return None

    def ensure(self, spec: ServerSpec, deadline: float = START_DEADLINE, use: ServerUse | None = None) -> ServerState:
        """The running server for `spec`: the recorded one if it is alive, healthy and the same, else a new one.
        With `use`, the caller holds it shared on return, so no other dispatch replaces the server under it."""
        deadline_at = time.monotonic() + deadline
        claim = use or ServerUse(self.directory)
        try:
            with self._lock(deadline):
                current = self.state()
                if current is not None and current.matches(spec) and self._healthy(current, patience=REUSE_PATIENCE):
                    claim.share()
                    return current
                if current is not None and _ours(current):
                    claim.exclusive(deadline_at)
                self._retire(current)
                state = self._start(spec, deadline_at)
                claim.share()
                return state
        except BaseException:
            claim.release()
            raise
        finally:
            if use is None:
                claim.release()

    def status(self) -> dict[str, Any]:
        current = self.state()
        stale = self.state_path.exists() and current is None
        if current is None:
            return {
                "running": False,
                "stale_state": stale,
                "state_file": str(self.state_path),
                "log": str(self.log_path),
            }
        running = self._healthy(current)
        return {
            "running": running,
            "stale_state": not running,
            "pid": current.pid,
            "port": current.port,
            "base_url": current.base_url,
            "model_path": current.model_path,
            "ctx_size": current.ctx_size,
            "started": current.started,
            "state_file": str(self.state_path),
            "log": current.log,
        }

    def stop(self, grace: float = STOP_GRACE) -> tuple[ServerState | None, bool]:
        """Stop the recorded server; returns it (if any) and whether a live process was stopped."""
        with self._lock(START_DEADLINE):
            current = self.state()
            return current, self._retire(current, grace)

    def _lock(self, wait: float) -> ProjectLock:
        lock = ProjectLock(self.directory / LOCK_NAME, "local-server")
        try:
            return lock.acquire(wait=wait)
        except ProjectBusy:
            raise BackendUnavailable(
                f"the local model server is being started or stopped: {lock.holder()}",
                "try again in a moment, or run `dispatch local stop`",
            ) from None

    def _healthy(self, state: ServerState, patience: float = 0.0) -> bool:
        deadline = time.monotonic() + patience
        while _ours(state):
            if _health(state.port) == 200:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.2)
        return False

    def _retire(self, state: ServerState | None, grace: float = STOP_GRACE) -> bool:
        """Stop the recorded process if it is still ours (never a stranger that reused its pid); drop the record."""
        stopped = False
        if state is not None and _ours(state):
            _terminate_group(state.pid, grace)
            stopped = True
        self.state_path.unlink(missing_ok=True)
        return stopped

    def _start(self, spec: ServerSpec, deadline_at: float) -> ServerState:
        for _ in range(_PORT_TRIES):
            port = free_port()
            argv = spec.argv(port)
            pid = self._spawn(argv)
            state = ServerState(
                pid=pid,
                port=port,
                model_path=str(spec.model_path),
                started=now_iso(),
                log=str(self.log_path),
                argv=argv,
                ctx_size=spec.ctx_size,
                pid_start=pids.process_start(pid),
            )
            atomic_write_json(self.state_path, asdict(state))
            if self._wait_ready(state, deadline_at):
                self.started = state
                return state
        raise BackendUnavailable(
            f"the local model server could not bind a port in {_PORT_TRIES} tries", f"see {self.log_path}"
        )

    def _spawn(self, argv: list[str]) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.log_path.exists():
            os.replace(self.log_path, self.log_path.with_name(LOG_NAME + ".1"))
        env = {key: os.environ[key] for key in _ENV_KEYS if key in os.environ}
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, str(self.log_path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
            (os.POSIX_SPAWN_DUP2, 1, 2),
        ]
        try:
            return os.posix_spawn(argv[0], argv, env, file_actions=actions, setsid=True)
        except OSError as exc:
            raise BackendUnavailable(
                f"cannot start {argv[0]}: {exc.strerror}", "check the llama-server binary"
            ) from None

    def _wait_ready(self, state: ServerState, deadline_at: float) -> bool:
        """True once /health answers 200; False if the port was taken; raises if the server dies or never loads."""
        delay = 0.02
        while True:
            try:
                done, status = os.waitpid(state.pid, os.WNOHANG)
            except ChildProcessError:
                done, status = (0 if alive(state.pid) else state.pid), 0
            if done:
                self.state_path.unlink(missing_ok=True)
                tail = _tail(self.log_path)
                if "bind" in tail.lower() or "address already in use" in tail.lower():
                    return False
                hint = f"see {self.log_path}"
                if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGILL:
                    hint = (
                        f"{state.argv[0]} was built for another CPU: rebuild it on this machine; {hint}"
                        if state.argv[0] != sys.executable
                        else f"the prebuilt {runtime.RUNTIME_PACKAGE} needs a CPU with AVX2: set bin to a llama-server "
                        f"built on this machine; {hint}"
                    )
                raise BackendUnavailable(
                    f"the local model server exited while starting ({_describe(status)}): "
                    f"{tail.splitlines()[-1] if tail else 'no output'}",
                    hint,
                )
            if _health(state.port) == 200:
                return True
            if time.monotonic() >= deadline_at:
                # Our own unreaped child: its pid cannot have been recycled, so no identity check is needed.
                _terminate_group(state.pid, STOP_GRACE)
                self.state_path.unlink(missing_ok=True)
                raise BackendUnavailable(
                    "the local model server did not become ready in time",
                    f"see {self.log_path}; the machine may be busy, try again",
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


class ServerUse:
    """A dispatch's claim on the shared server: an flock on a file beside the state, held shared while the dispatch
    talks to the server and taken exclusively only to replace a live one. The kernel drops it when its holder dies."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / USERS_NAME
        self._fd: int | None = None

    def exclusive(self, deadline_at: float) -> None:
        """Wait until no dispatch uses the server; raise when one still does at the deadline."""
        delay = 0.05
        while not self._flock(fcntl.LOCK_EX | fcntl.LOCK_NB):
            if time.monotonic() >= deadline_at:
                raise BackendUnavailable(
                    "the local model server is answering another dispatch with other settings "
                    "(was config.toml changed?)",
                    "wait for that dispatch to finish and try again",
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.5)

    def share(self) -> None:
        self._flock(fcntl.LOCK_SH)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
        self._fd = None

    def _flock(self, operation: int) -> bool:
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(self._fd, operation)
        except BlockingIOError:
            return False
        return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _health(port: int) -> int | None:
    try:
        return httpx.get(f"http://{HOST}:{port}/health", timeout=2.0, trust_env=False).status_code
    except httpx.HTTPError:
        return None


def alive(pid: int) -> bool:
    """Whether the process exists and is not a zombie; reaps it first when it is our own dead child."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0]:
            return False
    except ChildProcessError:
        pass
    return pids.alive(pid)


def _ours(state: ServerState) -> bool:
    """Alive and still running the binary we started (a recycled pid belongs to someone else)."""
    if state.pid <= 1 or not alive(state.pid):
        return False
    if state.pid_start is not None:
        return pids.process_start(state.pid) == state.pid_start
    try:
        cmdline = Path(f"/proc/{state.pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return True
    return bool(state.argv) and cmdline[0].decode(errors="replace") == state.argv[0]


def _terminate_group(pid: int, grace: float) -> None:
    """TERM the server's process group, wait for it with a deadline, then KILL what is left."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        if not procgroup.signal_group(pid, sig):
            return
        deadline = time.monotonic() + wait
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if not alive(pid):
            return


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(max(0, path.stat().st_size - limit))
            return handle.read().decode("utf-8", "replace").strip()
    except OSError:
        return ""


def _describe(status: int) -> str:
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit {code}"
