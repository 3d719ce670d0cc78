"""A fake OpenAI-compatible server on 127.0.0.1 with scripted replies and faults, for tests and benchmarks.

Each request to /v1/chat/completions takes the next scripted `Reply` (the last one repeats), or the one
`choose(body)` picks when given (concurrent clients make the order of arrival unknowable). Every request body
is kept in `requests`, and its arrival time (time.monotonic) in `times`, so tests assert on what the client
really sent, and when.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from tests.fakes.local_http import LocalServer, QuietHandler
from tests.fakes.model_apis import CREDENTIAL, echo


@dataclass
class Reply:
    text: str = "Hello from the fake model."
    chunks: int = 4
    """How many deltas the text is split into."""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    """A raw body for error replies."""
    hang: float = 0.0
    """Seconds to sit silent before answering (the test's timeout should be shorter)."""
    hang_after_first: float = 0.0
    """Seconds to stall after the first delta."""
    gate: threading.Event | None = None
    """After the first delta, wait until this is set (or the server stops), so a test decides when the run ends."""
    raw_sse: str | None = None
    """Send exactly this as the SSE body (malformed streams)."""
    raw_pieces: list[bytes] | None = None
    """Send these bytes one write at a time (SSE split anywhere, a UTF-8 character cut in two), `drip` apart."""
    drip: float = 0.0
    """Seconds between raw pieces, or between deltas (a slow stream)."""
    content_type: str = "text/event-stream"
    usage: tuple[int, int] | None = (12, 7)
    tool_calls: list[dict[str, Any]] | None = None
    """Answer with these tool calls (streamed) instead of text."""
    tool_call_pieces: int = 1
    """How many deltas each tool call's arguments are split into (clients must join them)."""
    narration: str = ""
    """Text streamed before the tool calls, as models that think aloud do."""
    finish_reason: str = "stop"

    def echoing(self, credential: str) -> Reply:
        """This reply with every `{credential}` in its text, body and headers replaced by the key the request
        carried: a server that echoes what it was sent, as a proxy's error page or a chatty model may."""
        if CREDENTIAL not in f"{self.text}{self.body}{self.headers}{self.raw_sse}":
            return self
        return replace(
            self,
            text=echo(self.text, credential),
            body=echo(self.body, credential),
            raw_sse=echo(self.raw_sse, credential),
            headers=echo(self.headers, credential),
        )

    keep_alive: bool = False
    """Send the whole stream with a content-length and keep the connection open, as a server behind a proxy
    does, so a client that pools connections can be seen reusing one (`peers`)."""


class FakeOpenAI(LocalServer):
    def __init__(
        self, replies: list[Reply] | None = None, choose: Callable[[dict[str, Any]], Reply] | None = None
    ) -> None:
        self.replies = list(replies or [Reply()])
        self.choose = choose
        self.requests: list[dict[str, Any]] = []
        self.times: list[float] = []
        self.headers: list[dict[str, str]] = []
        self.peers: list[tuple[str, int]] = []
        """The client address of each request: the same one twice means a reused connection."""
        self._lock = threading.Lock()
        server = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._json(200, {"object": "list", "data": [{"id": "fake-model", "object": "model"}]})
                else:
                    self._json(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with server._lock:
                    server.times.append(time.monotonic())
                    server.requests.append(body)
                    server.headers.append({k.lower(): v for k, v in self.headers.items()})
                    server.peers.append(self.client_address[:2])
                    if server.choose is not None:
                        reply = server.choose(body)
                    else:
                        reply = server.replies.pop(0) if len(server.replies) > 1 else server.replies[0]
                reply = reply.echoing(str(self.headers.get("authorization") or "").removeprefix("Bearer ").strip())
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._json(404, {"error": {"message": f"no route {self.path}"}})
                    return
                server._wait(reply.hang)
                if reply.status != 200:
                    self._send(
                        reply.status,
                        reply.body or json.dumps({"error": {"message": f"scripted {reply.status}"}}),
                        "application/json",
                        reply.headers,
                    )
                    return
                if not body.get("stream"):
                    self._json(200, server.completion(reply, body))
                    return
                if reply.keep_alive:
                    events = [f"data: {json.dumps(chunk)}\n\n" for chunk in server.chunks(reply, body)]
                    self._send(200, "".join(events) + "data: [DONE]\n\n", reply.content_type)
                    return
                self.send_response(200)
                self.send_header("content-type", reply.content_type)
                self.send_header("connection", "close")
                self.end_headers()
                if reply.raw_pieces is not None:
                    try:
                        for piece in reply.raw_pieces:
                            self.wfile.write(piece)
                            self.wfile.flush()
                            server._wait(reply.drip)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    self.close_connection = True
                    return
                if reply.raw_sse is not None:
                    self.wfile.write(reply.raw_sse.encode())
                    self.wfile.flush()
                    self.close_connection = True
                    return
                try:
                    for index, chunk in enumerate(server.chunks(reply, body)):
                        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                        self.wfile.flush()
                        if index == 1 and reply.hang_after_first:
                            server._wait(reply.hang_after_first)
                        if index == 1 and reply.gate is not None:
                            while not (reply.gate.is_set() or server._stop.wait(0.05)):
                                pass
                        server._wait(reply.drip)
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True

            def _json(self, status: int, data: Any) -> None:
                self._send(status, json.dumps(data), "application/json", {})

        super().__init__(Handler)
        self.base_url = f"http://127.0.0.1:{self.port}/v1"

    def _wait(self, seconds: float) -> None:
        """Sleep that ends early when the server stops, so a hanging reply never outlives its test."""
        if seconds:
            self._stop.wait(seconds)

    def chunks(self, reply: Reply, body: dict[str, Any]) -> list[dict[str, Any]]:
        base = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body.get("model", "fake-model"),
        }
        out = [
            {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}
        ]
        if reply.tool_calls:
            if reply.narration:
                out.append(
                    {**base, "choices": [{"index": 0, "delta": {"content": reply.narration}, "finish_reason": None}]}
                )
            for index, call in enumerate(reply.tool_calls):
                arguments = json.dumps(call.get("arguments", {}))
                size = max(1, -(-len(arguments) // max(1, reply.tool_call_pieces)))
                for start in range(0, len(arguments), size):
                    head = (
                        {
                            "index": index,
                            "id": call.get("id", f"call_{index}"),
                            "type": "function",
                            "function": {"name": call["name"], "arguments": arguments[:size]},
                        }
                        if start == 0
                        else {"index": index, "function": {"arguments": arguments[start : start + size]}}
                    )
                    out.append(
                        {**base, "choices": [{"index": 0, "delta": {"tool_calls": [head]}, "finish_reason": None}]}
                    )
            finish = "tool_calls"
        else:
            size = max(1, -(-len(reply.text) // max(1, reply.chunks)))
            for start in range(0, len(reply.text), size):
                out.append(
                    {
                        **base,
                        "choices": [
                            {"index": 0, "delta": {"content": reply.text[start : start + size]}, "finish_reason": None}
                        ],
                    }
                )
            finish = reply.finish_reason
        out.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
        if reply.usage and (body.get("stream_options") or {}).get("include_usage"):
            out.append(
                {
                    **base,
                    "choices": [],
                    "usage": {
                        "prompt_tokens": reply.usage[0],
                        "completion_tokens": reply.usage[1],
                        "total_tokens": sum(reply.usage),
                    },
                }
            )
        return out

    def completion(self, reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": None if reply.tool_calls else reply.text}
        if reply.tool_calls:
            message["tool_calls"] = [
                {
                    "id": c.get("id", f"call_{i}"),
                    "type": "function",
                    "function": {"name": c["name"], "arguments": json.dumps(c.get("arguments", {}))},
                }
                for i, c in enumerate(reply.tool_calls)
            ]
        usage = reply.usage or (0, 0)
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake-model"),
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if reply.tool_calls else reply.finish_reason,
                }
            ],
            "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)},
        }
