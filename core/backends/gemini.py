"""Gemini CLI headless: `gemini --output-format stream-json -p ""`, the prompt on stdin (the CLI appends -p's
text to what stdin holds); resume is `--resume ID`.

Its stream: init (session id), message (user / assistant, assistant text as deltas), tool_use, tool_result,
error, and one result with status and token stats. Exit status 53 means the session turn limit was hit.
Gemini reports no cost, so usage is priced from the model's config.
"""

from __future__ import annotations

from typing import Any

from core.backends.agent import AgentBackend, Reading
from core.backends.base import BackendRequest
from core.envelope import Status
from core.events import Event, Notice, ToolResult

APPROVAL_MODES = {"plan": "plan", "acceptEdits": "auto_edit", "bypass": "yolo"}
EXIT_TURN_LIMIT = 53


class GeminiBackend(AgentBackend):
    kind = "gemini"
    default_bin = "gemini"
    install_hint = "install it with `npm install -g @google/gemini-cli`, or set bin in the model's config"
    context_file = "GEMINI.md"
    env_prefixes = ("GEMINI_", "GOOGLE_")

    _last_error: str | None = None
    """The last error event's message: a failed result does not always repeat it."""

    def argv(self, binary: str, request: BackendRequest) -> list[str]:
        argv = [
            binary,
            "--output-format",
            "stream-json",
            "--skip-trust",
            "--approval-mode",
            APPROVAL_MODES[self.permission(request)],
        ]
        if self.model.model:
            argv += ["-m", self.model.model]
        if request.session_id:
            argv += ["--resume", request.session_id]
        return argv + list(self.model.args) + ["-p", ""]

    def translate(self, event: dict[str, Any], reading: Reading) -> list[Event]:
        kind = event.get("type")
        if kind == "init":
            return reading.started(event.get("session_id"))
        if kind == "message" and event.get("role") == "assistant" and event.get("content"):
            return [reading.say(str(event["content"]))]
        if kind == "tool_use":
            return [
                reading.called(
                    str(event.get("tool_name", "?")), event.get("parameters") or {}, str(event.get("tool_id", ""))
                )
            ]
        if kind == "tool_result":
            call_id = str(event.get("tool_id", ""))
            error = found if isinstance(found := event.get("error"), dict) else {}
            return [
                ToolResult(
                    call_id,
                    reading.tools.get(call_id, ""),
                    str(event.get("output") or error.get("message") or ""),
                    event.get("status") != "success",
                )
            ]
        if kind == "error":
            self._last_error = str(event.get("message") or "") or self._last_error
            return [Notice(f"gemini: {event.get('message', '')}", str(event.get("severity") or "warning"))]
        if kind == "result":
            reading.final = event
            stats = event.get("stats") or {}
            reading.num_turns = max(1, int(stats.get("tool_calls") or 0) + 1)
            if event.get("status") == "success":
                reading.status = Status.OK
            else:
                error = found if isinstance(found := event.get("error"), dict) else {}
                message = str(error.get("message") or self._last_error or "the agent reported an error")
                reading.api_failure(message)
            return [reading.counted(int(stats.get("input_tokens") or 0), int(stats.get("output_tokens") or 0))]
        return []

    def conclude(self, reading: Reading, exit_code: int, stderr: str) -> None:
        if exit_code == EXIT_TURN_LIMIT:
            reading.status = None
            reading.fail(Status.MAX_TURNS, "stopped at the session turn limit (exit 53)", "max_turns")
        super().conclude(reading, exit_code, stderr)
