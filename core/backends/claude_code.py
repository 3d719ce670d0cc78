"""Claude Code headless: `claude -p --output-format stream-json --verbose`, the prompt on stdin.

Its stream: a system/init event (session id), token deltas (stream_event, with --include-partial-messages),
assistant and user messages (text, tool_use, tool_result blocks), and one result event with the answer, total_cost_usd, usage, num_turns and permission_denials.
Resume is `--resume ID` from the same cwd (Claude keys sessions by directory).
"""

from __future__ import annotations

from typing import Any

from core.backends.agent import AgentBackend, Reading
from core.backends.base import BackendRequest
from core.envelope import Status
from core.events import Event, ToolResult

PERMISSION_MODES = {"plan": "plan", "acceptEdits": "acceptEdits", "bypass": "bypassPermissions"}


class ClaudeCodeBackend(AgentBackend):
    kind = "claude-code"
    default_bin = "claude"
    install_hint = (
        "install it with `npm install -g @anthropic-ai/claude-code`, or set bin in the model's config "
        "or DISPATCH_CC_BIN"
    )
    context_file = "CLAUDE.md"
    env_names = ("IS_SANDBOX", "DISABLE_AUTOUPDATER", "DISABLE_TELEMETRY", "API_TIMEOUT_MS")
    env_prefixes = ("ANTHROPIC_", "CLAUDE_", "AWS_", "CLOUD_ML_", "VERTEX_")

    _message_id: str | None = None
    """The top-level message now streaming."""

    def argv(self, binary: str, request: BackendRequest) -> list[str]:
        argv = [
            binary,
            "-p",
            "--output-format",
            "stream-json",
            "--verbose",
            "--include-partial-messages",
            "--permission-mode",
            PERMISSION_MODES[self.permission(request)],
        ]
        if self.model.model:
            argv += ["--model", self.model.model]
        if request.system:
            argv += ["--append-system-prompt", request.system]
        if request.max_steps:
            argv += ["--max-turns", str(request.max_steps)]
        if request.session_id:
            argv += ["--resume", request.session_id]
        return argv + list(self.model.args)

    def translate(self, event: dict[str, Any], reading: Reading) -> list[Event]:
        kind = event.get("type")
        out: list[Event] = [*reading.started(event.get("session_id"))]
        message = found if isinstance(found := event.get("message"), dict) else {}
        top_level = not event.get("parent_tool_use_id")
        if kind == "stream_event" and top_level:
            out += self._partial(event.get("event") or {}, reading)
        elif kind == "assistant":
            streamed = message.get("id") in reading.streamed
            for block in message.get("content") or []:
                if block.get("type") == "text" and block.get("text") and top_level and not streamed:
                    out.append(reading.say(block["text"]))
                elif block.get("type") == "tool_use":
                    out.append(reading.called(block.get("name", "?"), block.get("input") or {}, block.get("id", "")))
        elif kind == "user":
            for block in message.get("content") or []:
                if isinstance(block, dict) and block.get("type") == "tool_result":
                    call_id = block.get("tool_use_id", "")
                    out.append(
                        ToolResult(
                            call_id,
                            reading.tools.get(call_id, ""),
                            _text_of(block.get("content")),
                            bool(block.get("is_error")),
                        )
                    )
        elif kind == "result":
            self._result(event, reading)
            usage = event.get("usage") or {}
            out.append(
                reading.counted(
                    int(usage.get("input_tokens") or 0)
                    + int(usage.get("cache_read_input_tokens") or 0)
                    + int(usage.get("cache_creation_input_tokens") or 0),
                    int(usage.get("output_tokens") or 0),
                )
            )
        return out

    def _partial(self, event: dict[str, Any], reading: Reading) -> list[Event]:
        """Token deltas (--include-partial-messages): text as it is generated; the whole message that follows
        is then not repeated."""
        if event.get("type") == "message_start":
            self._message_id = (event.get("message") or {}).get("id")
        delta = event.get("delta") or {}
        if event.get("type") == "content_block_delta" and delta.get("type") == "text_delta" and delta.get("text"):
            if self._message_id:
                reading.streamed.add(self._message_id)
            return [reading.say(delta["text"])]
        return []

    def _result(self, event: dict[str, Any], reading: Reading) -> None:
        reading.final = event
        reading.result = str(event.get("result") or "")
        reading.num_turns = int(event.get("num_turns") or 0)
        if isinstance(event.get("total_cost_usd"), (int, float)):
            reading.cost_usd = float(event["total_cost_usd"])
        subtype = event.get("subtype")
        denials = event.get("permission_denials") or []
        if subtype == "error_max_turns":
            reading.fail(Status.MAX_TURNS, f"stopped at the turn limit after {reading.num_turns} turns", "max_turns")
        elif event.get("is_error") or (subtype and subtype != "success"):
            status = event.get("api_error_status")
            message = reading.result or str(subtype)
            if status == 429:
                reading.fail(Status.RATE_LIMITED, message, "rate_limited")
            elif status:
                reading.fail(Status.ERROR, message, "server_error")
            else:
                reading.api_failure(message, str(subtype or "agent_error"))
        elif denials:
            named = ", ".join(_denial(d) for d in denials)
            reading.fail(Status.BLOCKED, f"permission denied: {named}", "permission_denied")
            reading.extras["permission_denials"] = denials
        else:
            reading.status = Status.OK


def _denial(denial: dict[str, Any]) -> str:
    name = denial.get("tool_name", "?")
    tool_input = denial.get("tool_input") or {}
    detail = tool_input.get("command") or tool_input.get("file_path") or tool_input.get("path") or ""
    return f"{name}({str(detail)[:80]})" if detail else name


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return "" if content is None else str(content)
