"""Pictures of every screen at 120x40 and 80x24 (the main ones at 200x60 too), with time frozen, animation off and
cursors still.

Review each SVG change before accepting it (`pytest --snapshot-update`, then look at the picture)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core import escalation
from core.engine import DispatchRequest
from core.envelope import Envelope, Status, Usage
from core.events import Finished, Notice, RunStarted, TextDelta, ToolCall, UsageUpdate
from core.fsutil import atomic_write_json
from tests.helpers import GOOD_SPEC
from tests.tui.conftest import ANSWER, routed_config, seed_run, steady
from tui.live import LiveRun
from tui.screens.confirm import ConfirmScreen
from tui.screens.escalate import EscalateScreen
from tui.screens.feedback import FeedbackScreen
from tui.screens.run_detail import RunDetailScreen
from tui.screens.run_view import RunViewScreen
from tui.screens.tier_picker import TierChoice, TierPickerScreen

SIZE = (120, 40)
SMALL = (80, 24)
"""The smallest terminal the console promises to fit: columns share the width, nothing hides past the edge."""
LARGE = (200, 60)
"""A large terminal: the columns that share the width grow with it, and nothing stretches past its panel."""
BOTH = pytest.mark.parametrize("size", [SIZE, SMALL, LARGE], ids=["120x40", "80x24", "200x60"])
TWO = pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])
"""The two sizes every screen is pictured at: a usual terminal and the smallest the console promises to fit."""
RUN_ID = "20261121-115900-4242-1"
SLUG = "release-note"


@pytest.fixture
def snap_app(app_factory):
    """An app whose config names a fixed address (never contacted) so pictures do not depend on a port."""
    return lambda: app_factory(config=routed_config("http://127.0.0.1:9/v1", Path("/home/user/.config/dispatch")))


def finished_run() -> LiveRun:
    live = LiveRun(key=1, request=DispatchRequest(spec_text=GOOD_SPEC), started=100.0)
    live.apply(RunStarted(RUN_ID, SLUG, "openai", "default", "general", "general", "/audit/result.json"), 0.012)
    live.apply(Notice("dispatching despite checklist errors (--force); this is recorded", "warning"), 0.013)
    live.apply(TextDelta(ANSWER), 1.5)
    live.apply(ToolCall("read_file", {"path": "notes.md"}, "call_1"), 2.25)
    live.apply(UsageUpdate(1200, 345), 12.4)
    live.apply(
        Finished(
            Envelope(
                run_id=RUN_ID,
                slug=SLUG,
                backend="openai",
                model="default",
                tier="general",
                status=Status.OK,
                result=ANSWER,
                usage=Usage(1200, 345),
                cost_usd=0.001118,
            )
        ),
        12.5,
    )
    live.ended = 112.5
    return live


def contract_failed_run() -> LiveRun:
    checks = [
        {"rule": "plain-text", "source": "Plain text", "passed": False, "detail": "has Markdown headings or tables"},
        {"rule": "size:sentence", "source": "one sentence", "passed": False, "detail": "has 3 sentences, 1 asked"},
        {"rule": "size:word", "source": "at most 30 words", "passed": False, "detail": "has 39 words, at most 30"},
    ]
    live = LiveRun(key=1, request=DispatchRequest(spec_text=GOOD_SPEC), started=100.0)
    live.apply(RunStarted(RUN_ID, SLUG, "openai", "default", "general", "general", "/audit/result.json"), 0.012)
    live.apply(TextDelta(ANSWER), 1.5)
    live.apply(UsageUpdate(1200, 345), 3.2)
    error = "the answer breaks its Output contract: plain-text ('Plain text'): has Markdown headings or tables"
    envelope = Envelope(
        run_id=RUN_ID,
        slug=SLUG,
        backend="openai",
        model="default",
        tier="general",
        status=Status.ERROR,
        result=ANSWER,
        usage=Usage(1200, 345),
        cost_usd=0.000036,
        error=error + " (and 2 more)",
        reason="contract_violation",
        extras={"contract": {"passed": False, "checks": checks}},
    )
    live.apply(Finished(envelope), 3.3)
    live.ended = 103.3
    return live


def write_record(projects: Path) -> None:
    logs = projects / SLUG / ".dispatch-logs"
    envelope = Envelope(
        run_id=RUN_ID,
        slug=SLUG,
        backend="openai",
        model="default",
        tier="general",
        task_type="general",
        status=Status.OK,
        result=ANSWER,
        usage=Usage(1200, 345),
        cost_usd=0.001118,
        duration_ms=12500,
        audit_path=f"~/dispatch-projects/{SLUG}/result.json",
    )
    atomic_write_json(logs / f"{RUN_ID}-result.json", {**envelope.to_dict(), "spec": GOOD_SPEC, "parent_run_id": None})
    (logs / f"{RUN_ID}-events.jsonl").write_text(json.dumps({"type": "RunStarted", "run_id": RUN_ID}) + "\n")


VAGUE_SPEC = (
    GOOD_SPEC.replace("Summarise", "Per yesterday's call, summarise")
    .replace("Plain text, one sentence, at most 30 words.", "Whatever works.")
    .replace("## Non-goals\nDo not add points that are not listed.\n\n", "")
)
"""A finding of three families, each quoting its phrase, which the checklist highlights."""


def test_editor_with_findings(snap_compare, snap_app) -> None:
    async def before(pilot) -> None:
        await pilot.press("f3")
        pilot.app.screen.query_one("#spec").load_text(VAGUE_SPEC)
        await steady(pilot)
        pilot.app.set_focus(None)  # a focused TextArea's cursor is drawn in some pictures and not others
        await pilot.pause()

    assert snap_compare(snap_app(), terminal_size=SIZE, run_before=before)


@TWO
def test_editor_clean_with_a_route(size, snap_compare, snap_app) -> None:
    async def before(pilot) -> None:
        await pilot.press("f3")
        pilot.app.screen.query_one("#spec").load_text(GOOD_SPEC)
        pilot.app.screen.choice = TierChoice("general", "coding", None)
        pilot.app.screen.relint()
        await steady(pilot)
        pilot.app.set_focus(None)  # a focused TextArea's cursor is drawn in some pictures and not others
        await pilot.pause()

    assert snap_compare(snap_app(), terminal_size=size, run_before=before)


@TWO
def test_tier_picker(size, snap_compare, snap_app) -> None:
    async def before(pilot) -> None:
        await pilot.app.push_screen(TierPickerScreen(pilot.app.config, TierChoice("bulk-coding", "coding", "big")))
        await steady(pilot)

    assert snap_compare(snap_app(), terminal_size=size, run_before=before)


async def show_run_view(pilot, live) -> None:
    """The run view of a run that has ended, drawn to the end before the picture is taken."""
    pilot.app.live_runs[live.key] = live
    await pilot.app.push_screen(RunViewScreen(live))
    await pilot.pause()
    await pilot.app.screen.refresh_view()
    await steady(pilot)


@BOTH
def test_run_view_finished(size, snap_compare, snap_app) -> None:
    async def before(pilot) -> None:
        await show_run_view(pilot, finished_run())

    assert snap_compare(snap_app(), terminal_size=size, run_before=before)


@BOTH
def test_escalate_modal(size, snap_compare, snap_app) -> None:
    async def before(pilot) -> None:
        await pilot.app.push_screen(EscalateScreen(["coding", "agentic"], "general"))
        await steady(pilot)

    assert snap_compare(snap_app(), terminal_size=size, run_before=before)


@TWO
def test_settings(size, snap_compare, snap_app) -> None:
    async def before(pilot) -> None:
        await pilot.press("f5")
        await steady(pilot)

    assert snap_compare(snap_app(), terminal_size=size, run_before=before)


def test_settings_light_theme(snap_compare, snap_app) -> None:
    async def before(pilot) -> None:
        await pilot.press("f5")
        pilot.app.theme = "dispatch-light"
        await steady(pilot)

    assert snap_compare(snap_app(), terminal_size=SIZE, run_before=before)


@TWO
def test_run_detail(size, snap_compare, snap_app, projects_dir: Path) -> None:
    write_record(projects_dir)

    async def before(pilot) -> None:
        await pilot.app.push_screen(RunDetailScreen(SLUG, RUN_ID))
        await pilot.press("right")
        await steady(pilot)

    assert snap_compare(snap_app(), terminal_size=size, run_before=before)


@TWO
def test_run_view_contract_failed(size, snap_compare, snap_app) -> None:
    """The most the run view shows at once: three failed checks, what to do, and all six buttons."""

    async def before(pilot) -> None:
        await show_run_view(pilot, contract_failed_run())

    assert snap_compare(snap_app(), terminal_size=size, run_before=before)


@TWO
def test_confirm_modal(size, snap_compare, snap_app) -> None:
    async def before(pilot) -> None:
        await pilot.app.push_screen(ConfirmScreen("Dispatch despite 2 checklist errors? This is recorded.", "Force"))
        await steady(pilot)

    assert snap_compare(snap_app(), terminal_size=size, run_before=before)


@TWO
def test_feedback_modal(size, snap_compare, snap_app) -> None:
    async def before(pilot) -> None:
        await pilot.app.push_screen(FeedbackScreen(f"{SLUG} {RUN_ID}"))
        await steady(pilot)

    assert snap_compare(snap_app(), terminal_size=size, run_before=before)


def seed_trail() -> None:
    seed_run("release-note", RUN_ID, started_at="2026-11-21T11:59:00.000+00:00")
    seed_run(
        "api-client",
        "20261121-113000-4242-1",
        status="blocked",
        tier="coding",
        model="big",
        error="needs the API schema",
        started_at="2026-11-21T11:30:00.000+00:00",
    )
    seed_run(
        "api-client",
        "20261121-114000-4242-2",
        status="needs_input",
        tier="coding",
        model="big",
        error="which auth scheme?",
        started_at="2026-11-21T11:40:00.000+00:00",
        kind="resume",
    )
    seed_run(
        "triage-mail",
        "20261121-090000-4242-1",
        status="error",
        started_at="2026-11-21T09:00:00.000+00:00",
        error="every model failed; last: connection refused",
    )


@BOTH
def test_dashboard(size, snap_compare, snap_app) -> None:
    seed_trail()
    escalation.to_primary("triage-mail", "20261121-090000-4242-1", "needs a product decision")
    assert snap_compare(snap_app(), terminal_size=size, run_before=steady)


@BOTH
def test_audit_browser(size, snap_compare, snap_app) -> None:
    seed_trail()

    async def before(pilot) -> None:
        await pilot.press("f4")
        await steady(pilot)

    assert snap_compare(snap_app(), terminal_size=size, run_before=before)


def test_audit_browser_search(snap_compare, snap_app) -> None:
    seed_trail()

    async def before(pilot) -> None:
        await pilot.press("f4", "slash", *"audit browser", "enter")
        await steady(pilot)

    assert snap_compare(snap_app(), terminal_size=SIZE, run_before=before)
