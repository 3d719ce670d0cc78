"""Console test fixtures: a fake model server on 127.0.0.1, a config routed to it, and an app with a frozen
clock, animations off and the file watcher off (tests about the watcher turn it on)."""

from __future__ import annotations

import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import TextArea

from core.audit import index_db
from core.config import Config, Defaults, ModelConfig, TierConfig
from tests.fakes.openai_server import FakeOpenAI, Reply
from tui.app import DispatchApp, make_app
from tui.screens.run_view import RunViewScreen

FROZEN_NOW = datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC)
ANSWER = "## Summary\n\nStart-up is faster, a new **audit browser** ships, and crashes are rarer.\n"
"""Markdown, for the pictures of a run's answer."""
REPLY = "Start-up is faster, a new **audit browser** ships, and crashes are rarer.\n"
"""What the fake model answers a dispatch: one sentence that keeps GOOD_SPEC's Output contract."""


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI([Reply(text=REPLY, chunks=6)]) as server:
        yield server


def routed_config(base_url: str, home: Path) -> Config:
    models = {
        "default": ModelConfig(name="default", base_url=base_url, model="fake-small", price_in=0.5, price_out=1.5),
        "big": ModelConfig(name="big", base_url=base_url, model="fake-big", price_in=3.0, price_out=15.0),
    }
    tiers = {
        "general": TierConfig("general", ["default"], ["general"], "drafts, classification, pre-screening"),
        "coding": TierConfig("coding", ["default", "big"], ["bulk-coding"], "bulk coding"),
        "agentic": TierConfig("agentic", ["big"], ["agentic-coding"], "multi-step agentic work"),
    }
    return Config(models=models, tiers=tiers, defaults=Defaults(timeout=30), path=home / "config.toml")


@pytest.fixture
def config(fake: FakeOpenAI, isolated: Path) -> Config:
    return routed_config(fake.base_url, isolated / "home")


CONSOLE_CODE = str(Path(__file__).resolve().parents[2] / "tui")


@pytest.fixture
def sqlite_on_loop(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL statements the console ran on the event loop's thread (the test's own seeding does not count): a
    query there stalls every frame, so the screens run them in workers. A test asserts this list stays empty."""
    caught: list[str] = []
    connect = sqlite3.connect

    def traced(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = connect(*args, **kwargs)

        def trace(statement: str) -> None:
            if threading.current_thread() is not threading.main_thread():
                return
            frame = sys._getframe(1)
            while frame is not None:
                if frame.f_code.co_filename.startswith(CONSOLE_CODE):
                    caught.append(f"{statement.strip()[:80]} (from {frame.f_code.co_name})")
                    return
                frame = frame.f_back

        conn.set_trace_callback(trace)
        return conn

    monkeypatch.setattr(index_db.sqlite3, "connect", traced)
    return caught


@pytest.fixture
def app_factory(config: Config, isolated: Path) -> Callable[..., DispatchApp]:
    def build(**options: Any) -> DispatchApp:
        options = {"clock": lambda: 100.0, "now": lambda: FROZEN_NOW, "watch": False, "cwd": isolated, **options}
        app = make_app(options.pop("config", config), **options)
        app.animation_level = "none"
        return app

    return build


async def loaded(pilot: Pilot) -> None:
    """Wait until the screens' lists have loaded: their queries run in "load-..." workers, off the loop."""
    await wait_for(
        pilot,
        lambda: not any(worker.group.startswith("load-") and not worker.is_finished for worker in pilot.app.workers),
        "the lists to load",
    )
    await pilot.pause()


async def done(pilot: Pilot, group: str) -> None:
    """Wait until the worker group's work (a save in a thread, say) has finished."""
    await wait_for(
        pilot,
        lambda: not any(worker.group == group and not worker.is_finished for worker in pilot.app.workers),
        f"the {group} worker",
    )


async def steady(pilot: Pilot) -> None:
    """Let the lists load and stop cursors blinking, so a screenshot never catches one mid-blink."""
    await loaded(pilot)
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = False
    await pilot.pause()


async def wait_for(pilot: Pilot, condition: Callable[[], bool], what: str, deadline: float = 15.0) -> None:
    """Wait on a condition with a deadline (never a bare sleep)."""
    import time

    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


async def until_run_view(pilot: Pilot, previous: Screen) -> RunViewScreen:
    """The run view that opens over `previous` (resume, review and escalate start theirs from a worker, once
    the files they read are read), once it has drawn the run's end."""
    await wait_for(
        pilot,
        lambda: isinstance(pilot.app.screen, RunViewScreen) and pilot.app.screen is not previous,
        "a new run view",
    )
    view = pilot.app.screen
    assert isinstance(view, RunViewScreen)
    await wait_for(pilot, lambda: view.live.done and view._finished_drawn, f"the {view.live.request.kind} to end")
    return view


def type_spec(pilot: Pilot, text: str) -> None:
    pilot.app.screen.query_one("#spec", TextArea).load_text(text)


def seed_run(
    slug: str,
    run_id: str,
    *,
    status: str = "ok",
    tier: str = "general",
    model: str = "default",
    result: str = ANSWER,
    spec: str = "Goal: summarise the release notes for the announcement draft.",
    kind: str = "run",
    started_at: str = "2026-11-21T11:00:00.000+00:00",
    session_id: str | None = None,
    parent_run_id: str | None = None,
    error: str | None = None,
    cost_usd: float = 0.001118,
    **extras: Any,
) -> dict[str, Any]:
    """Write one finished run as the engine would (result file sealed into the chain + project.json), with fixed ids
    and times."""
    from core.audit.store import Project
    from core.envelope import Envelope, Status, Usage
    from core.fsutil import atomic_write_json

    project = Project.at(slug)
    project.ensure(f"{slug.replace('-', ' ')} project", "openai")
    envelope = Envelope(
        run_id=run_id,
        slug=slug,
        backend="openai",
        model=model,
        tier=tier,
        task_type="general",
        status=Status(status),
        result=result,
        usage=Usage(1200, 345),
        cost_usd=cost_usd,
        duration_ms=2500,
        audit_path=f"~/dispatch-projects/{slug}/{run_id}-result.json",
        kind=kind,
        session_id=session_id or run_id,
        error=error,
        extras=extras,
    )
    record = {
        **envelope.to_dict(),
        "spec": spec,
        "started_at": started_at,
        "finished_at": started_at,
        "parent_run_id": parent_run_id,
    }
    record = project.write_run(run_id, record)
    project.record_finished(envelope)
    meta = project.meta()
    meta.update(created=started_at, updated=started_at)
    atomic_write_json(project.meta_path, meta)
    return record
