"""The engine (core/engine.py) and its one run state (core/run_record.py), against the fake model API: what a
run records, first as running and then finished, how it moves between models, and where its rows go."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from core import paths
from core.audit.index import Index
from core.engine import DispatchRequest, Engine
from core.envelope import Status
from core.events import Finished, RunStarted
from core.retry import RetryPolicy
from tests.core.test_openai_backend import engine_for
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import GOOD_SPEC

ONCE = RetryPolicy(attempts_per_model=1, base=0.01, cap=0.02)


async def dispatch(engine: Engine, **kwargs: Any) -> tuple[dict[str, Any], Finished]:
    """Run one dispatch; returns the result file as it was when the run started, and the Finished event."""
    started: dict[str, Any] = {}
    async for event in engine.dispatch(DispatchRequest(spec_text=GOOD_SPEC, slug="eng", **kwargs)):
        if isinstance(event, RunStarted):
            started = json.loads(Path(event.audit_path).read_text())
        if isinstance(event, Finished):
            return started, event
    raise AssertionError("the dispatch ended without Finished")


def record_of(done: Finished) -> dict[str, Any]:
    return dict(json.loads(Path(done.envelope.audit_path).read_text()))


async def test_a_run_is_on_disk_as_running_before_it_answers_then_finished_with_what_was_sent(tmp_path: Path) -> None:
    with FakeOpenAI([Reply(text="The answer.")]) as server:
        started, done = await dispatch(engine_for(tmp_path, server.base_url))
    assert started["status"] == "running" and "finished_at" not in started and "raw" not in started
    assert started["spec"] == GOOD_SPEC and started["route"]["models"] == ["m0"]
    record = record_of(done)
    assert record["status"] == "ok" and record["result"] == "The answer." and record["finished_at"]
    assert record["request"]["model"] == "fake-0" and record["request"]["base_url"] == server.base_url
    assert record["messages"][-2:] == [
        {"role": "user", "content": record["messages"][-2]["content"]},
        {"role": "assistant", "content": "The answer."},
    ]
    assert record["messages"][0]["role"] == "system"
    assert done.envelope.session_id == done.envelope.run_id, "a chat run resumes by its own id"
    assert record["raw"] is not None and record["pid"] > 0 and record["forced"] is False


async def test_a_failing_model_gives_way_to_the_next_and_each_attempt_is_recorded(tmp_path: Path) -> None:
    with FakeOpenAI([Reply(status=500, body="down")]) as broken, FakeOpenAI([Reply(text="from the spare")]) as spare:
        _, done = await dispatch(engine_for(tmp_path, broken.base_url, spare.base_url, retry=ONCE))
    envelope = done.envelope
    assert envelope.status == Status.OK and envelope.result == "from the spare"
    assert [(a["model"], a["status"]) for a in envelope.attempts] == [("m0", "error"), ("m1", "ok")]
    assert envelope.model == "m1" and record_of(done)["request"]["model"] == "fake-1"


async def test_when_every_model_fails_the_last_error_is_the_runs(tmp_path: Path) -> None:
    with FakeOpenAI([Reply(status=503, body="busy")] * 2) as server:
        _, done = await dispatch(engine_for(tmp_path, server.base_url, retry=RetryPolicy(2, 0.01, 0.02)))
    assert done.envelope.status == Status.ERROR and done.envelope.error.startswith("every model failed; last:")
    assert [a["status"] for a in done.envelope.attempts] == ["error", "error"]
    assert record_of(done)["status"] == "error"


async def test_a_model_that_hangs_ends_at_the_timeout_given(tmp_path: Path) -> None:
    with FakeOpenAI([Reply(hang=30.0)]) as server:
        _, done = await dispatch(engine_for(tmp_path, server.base_url, retry=ONCE), timeout=0.5)
    assert done.envelope.status == Status.TIMEOUT and "0.5 s timeout" in (done.envelope.error or "")
    assert record_of(done)["status"] == "timeout"


async def test_a_key_in_the_answer_is_masked_in_the_envelope_and_the_whole_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "fake-key-value-0123456789"
    monkeypatch.setenv("FAKE_KEY", key)
    with FakeOpenAI([Reply(text=f"your key is {key} ok", chunks=9)]) as server:
        _, done = await dispatch(engine_for(tmp_path, server.base_url, key="FAKE_KEY"))
    assert key not in done.envelope.result
    text = Path(done.envelope.audit_path).read_text()
    assert key not in text and key[:10] not in text


async def test_one_engines_runs_reach_the_index_through_a_writer_that_follows_a_rebuild(tmp_path: Path) -> None:
    with FakeOpenAI([Reply(text="first walrus"), Reply(text="second penguin")]) as server:
        engine = engine_for(tmp_path, server.base_url)
        await dispatch(engine)
        with Index.open() as other:
            assert other.reindex() == 1  # another process replaces the database file under the engine's writer
        await dispatch(engine)
    database = sqlite3.connect(paths.index_path())  # as the writer left it: no reader's catching up
    try:
        assert database.execute("SELECT status FROM runs WHERE slug = 'eng'").fetchall() == [("ok",), ("ok",)]
    finally:
        database.close()
    with Index.open(check=False) as index:
        assert [h.run.slug for h in index.search("penguin")] == ["eng"]
