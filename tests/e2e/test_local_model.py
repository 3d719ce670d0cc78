"""End to end against the real local model: no key, no config, a real llama-server on 127.0.0.1.

Generation is kept to a few tokens (max_tokens) so the suite stays fast on 2 cores; what is asserted is the
plumbing (streaming, usage, history, the overflow status), never the small model's wording.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import httpx

from core import config as configs
from core.engine import DispatchRequest, Engine
from core.envelope import Envelope, Status
from core.events import Event, Finished, Notice, TextDelta, UsageUpdate
from core.local.server import ServerState
from tests.helpers import GOOD_SPEC, dispatch, write

MAX_TOKENS = 12


def engine() -> Engine:
    """The no-config setup, with the built-in model's answers cut short."""
    config = configs.load()
    config.models["local"] = replace(config.models["local"], max_tokens=MAX_TOKENS)
    return Engine(config)


async def run(request: DispatchRequest) -> tuple[list[Event], Envelope]:
    events = [event async for event in engine().dispatch(request)]
    finished = events[-1]
    assert isinstance(finished, Finished)
    return events, finished.envelope


def token_count(server: ServerState, text: str) -> int:
    reply = httpx.post(f"http://127.0.0.1:{server.port}/tokenize", json={"content": text}, trust_env=False, timeout=30)
    return len(reply.json()["tokens"])


def test_run_with_no_config_uses_local_says_so_and_reuses_the_server(tmp_path: Path, shared_state: ServerState) -> None:
    spec = write(tmp_path / "task.md", GOOD_SPEC)
    result = dispatch("--no-ui", "run", "--spec", str(spec), "--slug", "nokey", "--json", timeout=300)
    assert result.code == 0, result.stderr
    envelope = result.json()
    assert envelope["status"] == "ok" and envelope["model"] == "local" and envelope["backend"] == "local"
    assert envelope["result"].strip() and envelope["usage"]["input_tokens"] > 0
    assert "no model is configured, so this runs on the built-in local model" in result.stderr
    record = json.loads(Path(envelope["audit_path"]).read_text())
    assert "data: [DONE]" in record["raw"] and record["request"]["base_url"] == shared_state.base_url
    status = dispatch("local", "status", "--json").json()
    assert status["running"] and status["pid"] == shared_state.pid


async def test_streaming_and_usage() -> None:
    events, envelope = await run(DispatchRequest(spec_text=GOOD_SPEC, slug="stream"))
    assert envelope.status == Status.OK, envelope.error
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert len(deltas) >= 2 and "".join(deltas) == envelope.result
    last_delta = max(i for i, e in enumerate(events) if isinstance(e, TextDelta))
    usage = [e for e in events if isinstance(e, UsageUpdate)]
    assert usage and all(i > last_delta for i, e in enumerate(events) if isinstance(e, UsageUpdate))
    assert 0 < envelope.usage.output_tokens <= MAX_TOKENS and envelope.usage.input_tokens > 50
    assert envelope.usage.output_tokens == usage[-1].output_tokens
    assert any(isinstance(e, Notice) and "built-in local" in e.message for e in events)


async def test_resume_sends_the_history(shared_state: ServerState) -> None:
    _, first = await run(DispatchRequest(spec_text=GOOD_SPEC, slug="resume"))
    assert first.status == Status.OK, first.error
    history = json.loads(Path(first.audit_path).read_text())["messages"]
    assert [m["role"] for m in history] == ["system", "user", "assistant"] and history[2]["content"] == first.result
    assert first.session_id == first.run_id
    _, second = await run(
        DispatchRequest(
            spec_text="",
            prompt="Now say it in fewer words.",
            slug="resume",
            kind="resume",
            history=history,
            parent_run_id=first.run_id,
            lint=False,
        )
    )
    assert second.status == Status.OK, second.error
    record = json.loads(Path(second.audit_path).read_text())
    assert record["request"]["history_messages"] == 3 and record["messages"][:3] == history
    sent_at_least = token_count(shared_state, GOOD_SPEC) + first.usage.output_tokens
    assert second.usage.input_tokens >= sent_at_least


async def test_context_overflow_is_a_clear_status(tmp_path: Path) -> None:
    huge = GOOD_SPEC.replace("3. Fewer crashes.", "3. Fewer crashes. " + "Another point. " * 3000)
    # Without inline inputs the engine does not estimate the prompt against the window first, so this is the
    # server's own overflow answer (with inputs a prompt this long is refused before it is sent).
    _, envelope = await run(DispatchRequest(spec_text=huge, slug="overflow", inline_inputs=False))
    assert envelope.status == Status.ERROR and envelope.reason == "context_overflow"
    assert "exceeds the available context size" in (envelope.error or "")
    assert "context_window under [models.local]" in (envelope.error or "")
    assert envelope.exit_code == 1
    _, after = await run(DispatchRequest(spec_text=GOOD_SPEC, slug="overflow"))
    assert after.status == Status.OK, "the server survives an overflow"
