"""One error family, so every front door can turn a failure into one line and the right exit code.

DispatchError                 base: message, hint, exit code
├── UsageError                bad flags or arguments           (exit 2)
├── ConfigError               unreadable or invalid config     (exit 2)
├── SpecRejected              checklist errors, refused tier   (exit 3)
├── ProjectBusy               another run holds the project    (exit 6)
└── BackendUnavailable        unreachable, auth, binary absent (exit 7)
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Every exit status the CLI can return; `dispatch --help` lists them from here."""

    OK = 0
    RUN_FAILED = 1
    USAGE = 2
    SPEC_REJECTED = 3
    BLOCKED = 4
    TIMEOUT = 5
    PROJECT_BUSY = 6
    BACKEND_UNAVAILABLE = 7
    INTERRUPTED = 130


EXIT_CODE_MEANINGS = {
    ExitCode.OK: "ok",
    ExitCode.RUN_FAILED: "run failed",
    ExitCode.USAGE: "usage or config error",
    ExitCode.SPEC_REJECTED: "spec rejected (checklist errors or refused task type)",
    ExitCode.BLOCKED: "blocked or needs input",
    ExitCode.TIMEOUT: "timeout",
    ExitCode.PROJECT_BUSY: "project busy",
    ExitCode.BACKEND_UNAVAILABLE: "backend unreachable, auth failed or binary missing",
    ExitCode.INTERRUPTED: "interrupted",
}


class DispatchError(Exception):
    """A failure we can explain: `message` says what is wrong, `hint` what to do about it."""

    exit_code: ExitCode = ExitCode.RUN_FAILED
    reason = "error"
    """The envelope's `reason` when this error ends a command before any run starts."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UsageError(DispatchError):
    exit_code = ExitCode.USAGE
    reason = "usage"


class ConfigError(DispatchError):
    exit_code = ExitCode.USAGE
    reason = "config"


class SpecRejected(DispatchError):
    exit_code = ExitCode.SPEC_REJECTED
    reason = "rejected"


class ProjectBusy(DispatchError):
    exit_code = ExitCode.PROJECT_BUSY
    reason = "project_busy"


class BackendUnavailable(DispatchError):
    exit_code = ExitCode.BACKEND_UNAVAILABLE
    reason = "unavailable"
