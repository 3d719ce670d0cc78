"""Scripted fake model APIs on 127.0.0.1 for driving the real agent CLIs offline.

Three wire formats, one script: each model call takes the next `Turn` (the last one repeats) and answers
it in the dialect the CLI speaks: Anthropic Messages SSE (Claude Code), OpenAI Responses SSE (Codex) and
Gemini streamGenerateContent SSE (Gemini CLI). A turn is text, a tool call, an HTTP error or a hang.
Every request (path, headers, body) is kept so tests can assert on what the CLI really sent; requests
that are not model calls (telemetry, token counts, model lists) get a small neutral answer.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler
from typing import Any, TypeVar

from tests.fakes.local_http import LocalServer, QuietHandler


@dataclass
class Turn:
    text: str = ""
    tool: str | None = None
    """A tool call instead of (after) text: the tool's name as the CLI declared it."""
    args: dict[str, Any] = field(default_factory=dict)
    status: int = 200
    """Anything but 200 answers with this HTTP error."""
    hang: float = 0.0
    """Seconds to sit silent before answering (ends early when the server stops)."""
    usage: tuple[int, int] = (120, 30)
    error: str = "scripted failure"
    """The message of an HTTP error turn."""
    headers: dict[str, str] = field(default_factory=dict)
    """Extra response headers."""

    def echoing(self, credential: str) -> Turn:
        """This turn with every `{credential}` in its text, error and headers replaced by the key the request
        carried: a server that echoes what it was sent, as a proxy's error page or a chatty model may."""
        return replace(
            self,
            text=echo(self.text, credential),
            error=echo(self.error, credential),
            headers=echo(self.headers, credential),
        )


CREDENTIAL = "{credential}"
"""Where an echoing reply puts the key its request carried."""
T = TypeVar("T", str, dict[str, str], None)


def echo(value: T, credential: str) -> T:
    """A reply's text (or headers) with the key its request carried written in where it says {credential}."""
    if isinstance(value, str):
        return value.replace(CREDENTIAL, credential)
    if isinstance(value, dict):
        return {name: text.replace(CREDENTIAL, credential) for name, text in value.items()}
    return value


def credential_of(headers: Any, path: str) -> str:
    """The key a request carried, whichever way its CLI sends it (x-api-key, a bearer token, Gemini's key)."""
    bearer = str(headers.get("authorization") or "").removeprefix("Bearer ").strip()
    query = dict(part.split("=", 1) for part in path.partition("?")[2].split("&") if "=" in part)
    return str(headers.get("x-api-key") or headers.get("x-goog-api-key") or query.get("key") or bearer)


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class FakeModelAPI(LocalServer):
    """The script and the request log; subclasses say which paths are model calls and how to stream."""

    def __init__(self, turns: list[Turn] | None = None) -> None:
        self.turns = list(turns or [Turn(text="done")])
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        api = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                api._record(self, None)
                api.other(self)

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                api._record(self, body)
                if not api.is_model_call(self.path, body):
                    api.other(self)
                    return
                with api._lock:
                    turn = api.turns.pop(0) if len(api.turns) > 1 else api.turns[0]
                turn = turn.echoing(credential_of(self.headers, self.path))
                if turn.hang:
                    api._stop.wait(turn.hang)
                if turn.status != 200:
                    api.send(
                        self, turn.status, api.error_body(turn.status, turn.error), {"retry-after": "0", **turn.headers}
                    )
                    return
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.send_header("connection", "close")
                for name, value in turn.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    for event, data in api.stream(turn, body):
                        prefix = f"event: {event}\n" if event else ""
                        self.wfile.write(f"{prefix}data: {json.dumps(data)}\n\n".encode())
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True

        super().__init__(Handler)
        self.url = f"http://127.0.0.1:{self.port}"

    def _record(self, handler: BaseHTTPRequestHandler, body: Any) -> None:
        with self._lock:
            self.requests.append(
                Seen(handler.command, handler.path, {k.lower(): v for k, v in handler.headers.items()}, body)
            )

    @property
    def model_calls(self) -> list[Seen]:
        return [r for r in self.requests if r.method == "POST" and self.is_model_call(r.path, r.body)]

    def send(self, handler: QuietHandler, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        handler._send(status, json.dumps(data), "application/json", headers)

    def other(self, handler: QuietHandler) -> None:
        self.send(handler, 200, {})

    def is_model_call(self, path: str, body: Any) -> bool:
        raise NotImplementedError

    def error_body(self, status: int, message: str) -> Any:
        return {"error": {"message": message}}

    def stream(self, turn: Turn, body: Any) -> list[tuple[str | None, Any]]:
        raise NotImplementedError


class FakeAnthropic(FakeModelAPI):
    """POST /v1/messages with stream:true, answered as Anthropic Messages SSE."""

    def is_model_call(self, path: str, body: Any) -> bool:
        return path.split("?")[0].endswith("/v1/messages") and isinstance(body, dict) and bool(body.get("stream"))

    def other(self, handler: QuietHandler) -> None:
        if handler.path.split("?")[0].endswith("/count_tokens"):
            self.send(handler, 200, {"input_tokens": 100})
        else:
            super().other(handler)

    def error_body(self, status: int, message: str) -> Any:
        kind = {429: "rate_limit_error", 529: "overloaded_error"}.get(status, "api_error")
        return {"type": "error", "error": {"type": kind, "message": message}}

    def stream(self, turn: Turn, body: Any) -> list[tuple[str | None, Any]]:
        message_id = f"msg_{uuid.uuid4().hex[:20]}"
        events: list[tuple[str | None, Any]] = [
            (
                "message_start",
                {
                    "type": "message_start",
                    "message": {
                        "id": message_id,
                        "type": "message",
                        "role": "assistant",
                        "model": body.get("model", "fake"),
                        "content": [],
                        "stop_reason": None,
                        "stop_sequence": None,
                        "usage": {"input_tokens": turn.usage[0], "output_tokens": 1},
                    },
                },
            )
        ]
        index = 0
        if turn.text:
            events += [
                (
                    "content_block_start",
                    {"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}},
                ),
                (
                    "content_block_delta",
                    {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": turn.text}},
                ),
                ("content_block_stop", {"type": "content_block_stop", "index": index}),
            ]
            index += 1
        if turn.tool:
            events += [
                (
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": index,
                        "content_block": {
                            "type": "tool_use",
                            "id": f"toolu_{uuid.uuid4().hex[:20]}",
                            "name": turn.tool,
                            "input": {},
                        },
                    },
                ),
                (
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": index,
                        "delta": {"type": "input_json_delta", "partial_json": json.dumps(turn.args)},
                    },
                ),
                ("content_block_stop", {"type": "content_block_stop", "index": index}),
            ]
        events += [
            (
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": "tool_use" if turn.tool else "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": turn.usage[1]},
                },
            ),
            ("message_stop", {"type": "message_stop"}),
        ]
        return events


class FakeResponses(FakeModelAPI):
    """POST /v1/responses, answered as OpenAI Responses SSE (what Codex speaks)."""

    def is_model_call(self, path: str, body: Any) -> bool:
        return path.split("?")[0].endswith("/responses") and isinstance(body, dict)

    def other(self, handler: QuietHandler) -> None:
        if handler.path.split("?")[0].endswith("/models"):
            self.send(handler, 200, {"object": "list", "data": [], "models": []})
        else:
            super().other(handler)

    def stream(self, turn: Turn, body: Any) -> list[tuple[str | None, Any]]:
        response_id = f"resp_{uuid.uuid4().hex[:20]}"
        base = {"id": response_id, "object": "response", "model": body.get("model", "fake"), "output": []}
        events: list[tuple[str | None, Any]] = [
            ("response.created", {"type": "response.created", "response": {**base, "status": "in_progress"}})
        ]
        if turn.text:
            item_id = f"msg_{uuid.uuid4().hex[:12]}"
            item = {
                "type": "message",
                "id": item_id,
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": turn.text, "annotations": []}],
            }
            events += [
                (
                    "response.output_item.added",
                    {
                        "type": "response.output_item.added",
                        "output_index": 0,
                        "item": {**item, "status": "in_progress", "content": []},
                    },
                ),
                (
                    "response.output_text.delta",
                    {
                        "type": "response.output_text.delta",
                        "item_id": item_id,
                        "output_index": 0,
                        "content_index": 0,
                        "delta": turn.text,
                    },
                ),
                ("response.output_item.done", {"type": "response.output_item.done", "output_index": 0, "item": item}),
            ]
        if turn.tool:
            call = {
                "type": "function_call",
                "id": f"fc_{uuid.uuid4().hex[:12]}",
                "call_id": f"call_{uuid.uuid4().hex[:12]}",
                "name": turn.tool,
                "arguments": json.dumps(turn.args),
                "status": "completed",
            }
            events += [
                ("response.output_item.done", {"type": "response.output_item.done", "output_index": 1, "item": call})
            ]
        events += [
            (
                "response.completed",
                {
                    "type": "response.completed",
                    "response": {
                        **base,
                        "status": "completed",
                        "usage": {
                            "input_tokens": turn.usage[0],
                            "input_tokens_details": {"cached_tokens": 0},
                            "output_tokens": turn.usage[1],
                            "output_tokens_details": {"reasoning_tokens": 0},
                            "total_tokens": sum(turn.usage),
                        },
                    },
                },
            )
        ]
        return events


class FakeGemini(FakeModelAPI):
    """POST /v1beta/models/M:streamGenerateContent?alt=sse, answered as Gemini SSE chunks."""

    def is_model_call(self, path: str, body: Any) -> bool:
        return ":streamGenerateContent" in path

    def other(self, handler: QuietHandler) -> None:
        if ":countTokens" in handler.path:
            self.send(handler, 200, {"totalTokens": 100})
        elif ":generateContent" in handler.path:
            # The CLI's side calls (model routing, loop checks) want JSON back; they never consume a turn.
            self.send(
                handler,
                200,
                {
                    "candidates": [
                        {"content": {"role": "model", "parts": [{"text": "{}"}]}, "finishReason": "STOP", "index": 0}
                    ]
                },
            )
        else:
            super().other(handler)

    def error_body(self, status: int, message: str) -> Any:
        state = {429: "RESOURCE_EXHAUSTED", 500: "INTERNAL"}.get(status, "UNKNOWN")
        return {"error": {"code": status, "message": message, "status": state}}

    def stream(self, turn: Turn, body: Any) -> list[tuple[str | None, Any]]:
        parts: list[dict[str, Any]] = []
        if turn.text:
            parts.append({"text": turn.text})
        if turn.tool:
            parts.append({"functionCall": {"name": turn.tool, "args": turn.args}})
        usage = {
            "promptTokenCount": turn.usage[0],
            "candidatesTokenCount": turn.usage[1],
            "totalTokenCount": sum(turn.usage),
        }
        return [
            (
                None,
                {
                    "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}],
                    "usageMetadata": usage,
                    "modelVersion": "fake-gemini",
                },
            )
        ]
