"""Codex headless: `codex exec --json -s SANDBOX -`, the prompt on stdin; resume is `codex exec resume ID -`.

Its JSONL stream: thread.started (the session id), turn.started, item.started / item.completed (agent_message,
command_execution, file_change, mcp_tool_call, error ...), turn.completed with token usage, turn.failed or
error. Codex reports no cost, so usage is priced from the model's config. In `exec` mode Codex refuses the
request_user_input tool and says so on stderr (measured with codex-cli 0.169): that, or an item of that
type, means the agent needed an answer: needs_input.
"""

from __future__ import annotations

from typing import Any

from core.backends.agent import AgentBackend, Reading
from core.backends.base import BackendRequest
from core.envelope import Status
from core.events import Event, Notice, ToolResult

SANDBOXES = {"plan": "read-only", "acceptEdits": "workspace-write", "bypass": "danger-full-access"}
_INPUT_REQUEST = "request_user_input"
_TOOL_ITEMS = {"command_execution", "file_change", "mcp_tool_call", "web_search", "collab_tool_call"}


class CodexBackend(AgentBackend):
    kind = "codex"
    default_bin = "codex"
    install_hint = "install it with `npm install -g @openai/codex`, or set bin in the model's config"
    context_file = "AGENTS.md"
    env_prefixes = ("CODEX_", "OPENAI_", "AZURE_OPENAI_")

    def argv(self, binary: str, request: BackendRequest) -> list[str]:
        argv = [binary, "exec", "--json", "--skip-git-repo-check", "-s", SANDBOXES[self.permission(request)]]
        if self.model.model:
            argv += ["-m", self.model.model]
        argv += list(self.model.args)
        if request.session_id:
            argv += ["resume", request.session_id]
        return argv + ["-"]

    def translate(self, event: dict[str, Any], reading: Reading) -> list[Event]:
        kind = event.get("type")
        if kind == "thread.started":
            return reading.started(event.get("thread_id"))
        if kind in ("item.started", "item.completed"):
            return self._item(kind, event.get("item") or {}, reading)
        if kind == "turn.completed":
            usage = event.get("usage") or {}
            reading.num_turns += 1
            total = reading.usage
            if reading.status is None:
                reading.status = Status.OK
            return [
                reading.counted(
                    total.input_tokens + int(usage.get("input_tokens") or 0),
                    total.output_tokens + int(usage.get("output_tokens") or 0),
                )
            ]
        if kind in ("turn.failed", "error"):
            error = found if isinstance(found := event.get("error"), dict) else {}
            message = str(error.get("message") or event.get("message") or kind)
            reading.api_failure(message)
        return []

    def _item(self, kind: str, item: dict[str, Any], reading: Reading) -> list[Event]:
        item_type = item.get("type")
        call_id = str(item.get("id", ""))
        if item_type == _INPUT_REQUEST or item.get("tool") == _INPUT_REQUEST:
            reading.fail(Status.NEEDS_INPUT, f"the agent asked for input: {str(item)[:300]}", "needs_input")
            return []
        if kind == "item.started":
            if item_type in _TOOL_ITEMS:
                return [reading.called(item_type, _arguments(item), call_id)]
            return []
        if item_type == "agent_message" and item.get("text"):
            reading.result = item["text"]
            return [reading.say(item["text"] + "\n")]
        if item_type == "error":
            return [Notice(f"codex: {item.get('message', '')}", "warning")]
        if item_type in _TOOL_ITEMS:
            events: list[Event] = []
            if call_id not in reading.tools:
                events.append(reading.called(item_type, _arguments(item), call_id))
            failed = item.get("status") == "failed" or (item.get("exit_code") not in (None, 0))
            events.append(
                ToolResult(call_id, item_type, str(item.get("aggregated_output") or item.get("changes") or ""), failed)
            )
            return events
        return []

    def conclude(self, reading: Reading, exit_code: int, stderr: str) -> None:
        if _INPUT_REQUEST in stderr:
            reading.status = None
            reading.fail(
                Status.NEEDS_INPUT,
                "the agent asked for user input, which a headless run cannot give; answer it in the spec and resume",
                "needs_input",
            )
        super().conclude(reading, exit_code, stderr)


def _arguments(item: dict[str, Any]) -> dict[str, Any]:
    keys = ("command", "changes", "server", "tool", "arguments", "query")
    return {k: item[k] for k in keys if k in item}
