"""Stateless dispatch to any OpenAI-compatible endpoint: one streamed chat completion, no tools.

A thin httpx client instead of the openai SDK: importing the SDK alone costs ~560 ms here and its stream
parser is ~7x slower than httpx + json, both on the path every headless run takes. The request and
response shapes are the public Chat Completions API.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import replace
from typing import Any

import httpx

from core.backends import http_pool
from core.backends.base import Backend, BackendRequest, TransientError
from core.backends.http_status import answered, error_reason, status_error
from core.backends.sse import SSEParser
from core.envelope import Status, Usage
from core.errors import BackendUnavailable
from core.events import BackendDone, Event, TextDelta, UsageUpdate, sound_text

RAW_CAP = 2_000_000
"""Bytes of raw stream kept for the audit trail; the rest is counted, not stored."""


class OpenAIChatBackend(Backend):
    kind = "openai"
    can_resume = True
    history_is_session = True
    default_context_window = 32_768
    """What most OpenAI-compatible servers give at least; a larger model's context_window says more."""

    def messages(self, request: BackendRequest) -> list[dict[str, Any]]:
        system = [{"role": "system", "content": request.system}] if request.system and not request.history else []
        return [*system, *request.history, {"role": "user", "content": request.prompt}]

    def payload(self, request: BackendRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model.provider_model,
            "messages": self.messages(request),
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if self.model.max_tokens is not None:
            body["max_tokens"] = self.model.max_tokens
        if self.model.temperature is not None:
            body["temperature"] = self.model.temperature
        return body

    def headers(self) -> dict[str, str]:
        headers = {"Accept": "text/event-stream"}
        if key := self.model.api_key():
            headers["Authorization"] = f"Bearer {key}"
        return headers

    async def run(self, request: BackendRequest) -> AsyncGenerator[Event, None]:
        if not self.model.base_url:
            raise BackendUnavailable(
                f"model '{self.model.name}' has no base_url", "set base_url in config.toml or DISPATCH_BASE_URL"
            )
        url = self.model.base_url.rstrip("/") + "/chat/completions"
        timeout = httpx.Timeout(connect=10.0, read=min(request.stall_timeout, request.timeout), write=30.0, pool=10.0)
        parts: list[str] = []
        raw = bytearray()
        self._finish: str | None = None
        usage = Usage()
        finish_reason: str | None = None
        seen = 0
        content_type = ""
        # A plain-http endpoint (a local server) never does TLS, so skip loading the CA bundle (~45 ms a run).
        tls = url.startswith("https://")
        async with http_pool.client_for(url, tls) as client:
            try:
                async with client.stream(
                    "POST", url, json=self.payload(request), headers=self.headers(), timeout=timeout
                ) as response:
                    if response.status_code >= 400:
                        yield await self._failure(response)
                        return
                    content_type = response.headers.get("content-type", "")
                    async for data in _sse_data(response, raw):
                        seen += 1
                        done, events, finish = self._chunk(data, parts, usage)
                        finish_reason = finish or finish_reason
                        for event in events:
                            yield event
                        if done is not None:
                            yield replace(done, raw=_text(raw))
                            return
            except httpx.ConnectError as exc:
                raise TransientError(f"cannot connect to {self.model.base_url}: {exc}") from None
            except httpx.ConnectTimeout:
                raise TransientError(f"connecting to {self.model.base_url} timed out") from None
            except httpx.ReadTimeout:
                if not parts:
                    raise TransientError(f"{self.model.base_url} sent nothing for {timeout.read:.0f} s") from None
                yield self._done(
                    Status.TIMEOUT,
                    parts,
                    usage,
                    raw,
                    error=f"the stream stalled for {timeout.read:.0f} s",
                    reason="stalled",
                )
                return
            except httpx.RemoteProtocolError as exc:
                if not parts:
                    raise TransientError(f"{self.model.base_url} closed the connection: {exc}") from None
                yield self._done(
                    Status.ERROR, parts, usage, raw, error=f"the stream broke off: {exc}", reason="bad_response"
                )
                return
            except httpx.TransportError as exc:  # a reset connection (ReadError), a write that failed, ...
                if not parts:
                    raise TransientError(f"{self.model.base_url}: {type(exc).__name__} {exc}".rstrip()) from None
                yield self._done(
                    Status.ERROR,
                    parts,
                    usage,
                    raw,
                    error=f"the stream broke off: {type(exc).__name__} {exc}",
                    reason="bad_response",
                )
                return
        if not seen:
            yield self._done(
                Status.ERROR,
                parts,
                usage,
                raw,
                reason="bad_response",
                error=f"the server's answer was not an event stream: {_received(content_type, raw)}",
            )
            return
        if finish_reason is None:
            yield self._done(
                Status.ERROR,
                parts,
                usage,
                raw,
                reason="truncated",
                error=f"the stream ended after {seen} event(s) with no finish_reason and no [DONE]: the "
                f"answer is cut short ({sum(map(len, parts))} characters kept)",
            )
            return
        yield self._done(Status.OK, parts, usage, raw, reason=_finish_reason(finish_reason))

    def _chunk(self, data: str, parts: list[str], usage: Usage) -> tuple[BackendDone | None, list[Event], str | None]:
        """One SSE data payload: (a final BackendDone or None, events to pass on, a finish_reason)."""
        if data.strip() == "[DONE]":
            return self._done(Status.OK, parts, usage, None, reason=self._finish), [], None
        try:
            payload = json.loads(data)
        except json.JSONDecodeError:
            return (
                self._done(
                    Status.ERROR,
                    parts,
                    usage,
                    None,
                    error=f"the server sent invalid JSON in the stream: {data[:120]!r}",
                    reason="bad_response",
                ),
                [],
                None,
            )
        if problem := _malformed(payload):
            return (
                self._done(Status.ERROR, parts, usage, None, error=f"the server sent {problem}", reason="bad_response"),
                [],
                None,
            )
        if error := payload.get("error"):
            message = error.get("message", str(error)) if isinstance(error, dict) else str(error)
            return (
                self._done(
                    Status.ERROR,
                    parts,
                    usage,
                    None,
                    error=f"the server reported: {message}",
                    reason=error_reason(str(error)),
                ),
                [],
                None,
            )
        events: list[Event] = []
        finish = None
        if isinstance(stats := payload.get("usage"), dict):
            usage.input_tokens = _count(stats.get("prompt_tokens"))
            usage.output_tokens = _count(stats.get("completion_tokens"))
            events.append(UsageUpdate(usage.input_tokens, usage.output_tokens))
        for choice in payload.get("choices") or []:
            delta = choice.get("delta") or {}
            finish = choice.get("finish_reason") or finish
            if text := sound_text(delta.get("content") or ""):
                parts.append(text)
                events.append(TextDelta(text))
        if finish:
            self._finish = _finish_reason(finish)
        return None, events, finish

    def _done(
        self,
        status: Status,
        parts: list[str],
        usage: Usage,
        raw: bytearray | None,
        *,
        error: str | None = None,
        reason: str | None = None,
    ) -> BackendDone:
        cost = self.model.cost(usage.input_tokens, usage.output_tokens)
        return BackendDone(
            status=status,
            result="".join(parts),
            usage=Usage(usage.input_tokens, usage.output_tokens),
            cost_usd=cost,
            error=error,
            reason=reason,
            num_turns=1,
            raw=_text(raw),
        )

    async def _failure(self, response: httpx.Response) -> BackendDone:
        body = (await response.aread())[:4000].decode("utf-8", "replace")
        message = _error_message(body)
        if error := status_error(self.model, response.status_code, response.headers, message, body):
            raise error
        # The whole body, not just its message: llama-server names an overflow in the error's type.
        return BackendDone(
            status=Status.ERROR,
            error=answered(self.model, response.status_code, message),
            reason=error_reason(body),
            raw=body,
        )


def _malformed(payload: Any) -> str | None:
    """What makes a stream chunk unreadable, or None: it is not an object, or its choices, deltas or text have the
    wrong type (a delta whose content is 5 ended the run in a TypeError, its record left running)."""
    if not isinstance(payload, dict):
        return "a stream chunk that is not an object"
    choices = payload.get("choices") or []
    if not isinstance(choices, list) or not all(isinstance(choice, dict) for choice in choices):
        return "a stream chunk whose choices are not a list of objects"
    for choice in choices:
        delta = choice.get("delta") or {}
        if not isinstance(delta, dict) or not isinstance(delta.get("content") or "", str):
            return f"a stream chunk whose delta is not text: {json.dumps(delta)[:120]}"
    return None


MAX_TOKENS = 2**53
"""More tokens than any answer has: a count past it (or below zero, or not a whole number) is a server's mistake,
kept as 0 (unknown) rather than priced, summed and indexed, where 10**30 made every later index command fail."""


def _count(value: Any) -> int:
    if isinstance(value, float) and value.is_integer() and abs(value) < MAX_TOKENS:
        value = int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < MAX_TOKENS else 0


async def _sse_data(response: httpx.Response, raw: bytearray) -> AsyncIterator[str]:
    """Each SSE event's data, in order, keeping up to RAW_CAP bytes of the stream for the audit trail."""
    parser = SSEParser()
    async for chunk in response.aiter_bytes():
        if len(raw) < RAW_CAP:
            raw += chunk[: RAW_CAP - len(raw)]
        for _, data in parser.feed(chunk):
            yield data
    for _, data in parser.close():
        yield data


def _received(content_type: str, raw: bytearray) -> str:
    """What came instead of an event stream, for the error: its content type and first bytes."""
    head = bytes(raw[:120]).decode("utf-8", "replace")
    return f"{content_type or 'no content type'}, {len(raw)} byte(s){': ' + repr(head) if head else ''}"


def _text(raw: bytearray | None) -> str | None:
    return bytes(raw).decode("utf-8", "replace") if raw else None


def _error_message(body: str) -> str:
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        return body.strip()[:300] or "no body"
    error = data.get("error", data) if isinstance(data, dict) else data
    if isinstance(error, dict):
        return str(error.get("message") or error)[:300]
    return str(error)[:300]


def _finish_reason(finish: str | None) -> str | None:
    return "max_tokens" if finish == "length" else None
