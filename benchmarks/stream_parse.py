"""Chat-completion stream parsing: our SSE parser + json, against the openai SDK's streaming client.

Both parse the same N chunks; the SDK is driven through httpx.MockTransport so no network is involved.
"""

from __future__ import annotations

import json
import time

import httpx

from core.backends.openai_chat import OpenAIChatBackend
from core.backends.sse import SSEParser
from core.config import ModelConfig
from core.envelope import Usage

CHUNKS = 50_000


def stream_bytes(n: int) -> bytes:
    base = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m"}
    lines = [
        f"data: {json.dumps({**base, 'choices': [{'index': 0, 'delta': {'content': 'tok '}, 'finish_reason': None}]})}\n\n"
        for _ in range(n)
    ]
    return ("".join(lines) + "data: [DONE]\n\n").encode()


def ours(data: bytes) -> float:
    backend = OpenAIChatBackend(ModelConfig(name="m"))
    backend._finish = None
    parts: list[str] = []
    usage = Usage()
    started = time.perf_counter()
    parser = SSEParser()
    for start in range(0, len(data), 4096):
        for _, payload in parser.feed(data[start : start + 4096]):
            backend._chunk(payload, parts, usage)
    elapsed = time.perf_counter() - started
    assert len(parts) == CHUNKS
    return elapsed


def sdk(data: bytes) -> float:
    import openai

    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, content=data, headers={"content-type": "text/event-stream"})
    )
    client = openai.OpenAI(base_url="http://127.0.0.1:9/v1", api_key="x", http_client=httpx.Client(transport=transport))
    started = time.perf_counter()
    count = sum(
        1
        for chunk in client.chat.completions.create(model="m", messages=[], stream=True)
        if chunk.choices and chunk.choices[0].delta.content
    )
    elapsed = time.perf_counter() - started
    assert count == CHUNKS
    return elapsed


def main() -> None:
    data = stream_bytes(CHUNKS)
    ours_s = min(ours(data) for _ in range(3))
    sdk_s = min(sdk(data) for _ in range(2))
    print(
        f"ours: {CHUNKS / ours_s:,.0f} chunks/s   openai SDK: {CHUNKS / sdk_s:,.0f} chunks/s   "
        f"ratio {sdk_s / ours_s:.1f}x (goal >= 5x)"
    )


if __name__ == "__main__":
    main()
