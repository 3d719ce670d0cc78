"""A run whose answer breaks its Output contract, in the console: the run view says which check failed and offers
fix (resume with the failures pasted) and accept anyway; the inbox lists it until it is accepted."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Button

from core.audit.store import Project
from core.contract import acceptance
from tests.fakes.openai_server import Reply
from tests.helpers import GOOD_SPEC
from tests.tui.conftest import REPLY, wait_for
from tests.tui.test_flows import finished_run
from tui.screens.confirm import ConfirmScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.run_detail import RunDetailScreen
from tui.screens.run_view import RunViewScreen

BROKEN = "## Notes\n\nStart-up is faster. The audit browser is new. Crashes are rarer.\n"
"""Three sentences and a heading, where the contract asks for plain text, one sentence."""


def shown(view: RunViewScreen, button: str) -> bool:
    return view.query_one(f"#{button}", Button).display


async def test_fix_pastes_the_failed_checks_into_a_resume_that_can_keep_the_contract(app_factory, fake) -> None:
    fake.replies = [Reply(text=BROKEN), Reply(text=REPLY)]
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        view = await finished_run(pilot, GOOD_SPEC)
        assert view.live.status == "error" and view.live.envelope.reason == "contract_violation"
        status = view.query_one("#run-status").render().plain
        assert "breaks its Output contract" in status and "also" in status, status
        assert "fix (f)" in status and shown(view, "contract_fix") and shown(view, "accept")
        await pilot.click("#contract_fix")
        await wait_for(pilot, lambda: app.screen is not view, "the resume's run view")
        resumed = app.screen
        assert isinstance(resumed, RunViewScreen)
        await wait_for(pilot, lambda: resumed._finished_drawn, "the resume to finish, drawn")
        asked = fake.requests[-1]["messages"][-1]["content"]
        assert "does not meet the Output contract" in asked and "'one sentence'" in asked
        assert resumed.live.status == "ok" and resumed.live.envelope.extras["contract"]["passed"] is True
        assert not shown(resumed, "contract_fix"), "nothing to fix on a run that keeps its contract"


async def test_accept_anyway_is_recorded_and_takes_the_run_out_of_the_inbox(app_factory, fake, isolated: Path) -> None:
    fake.replies = [Reply(text=BROKEN)]
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        view = await finished_run(pilot, GOOD_SPEC)
        run_id, slug = view.live.run_id, view.live.slug
        await pilot.press("f2")
        dash = app.screen
        assert isinstance(dash, DashboardScreen)
        await wait_for(pilot, lambda: any(i.kind == "contract failed" for i in dash.items), "the inbox to list it")
        item = next(i for i in dash.items if i.kind == "contract failed")
        assert item.run_id == run_id and "plain-text ('Plain text'): has Markdown headings" in item.detail
        app.push_screen(RunDetailScreen(slug, run_id))
        detail = app.screen
        await wait_for(pilot, lambda: "run_id" in detail.record, "the record to load")
        assert detail.check_action("accept", ()) is True and "fix (f)" in detail.sub_title
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is detail, "the record again")
        assert detail.accepted is None and run_id not in acceptance.accepted(Project.at(slug)), "no means no"
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question again")
        await pilot.click("#yes")
        await wait_for(pilot, lambda: detail.accepted is not None, "the acceptance")
        assert acceptance.accepted(Project.at(slug))[run_id]["by"] == "operator"
        assert detail.check_action("accept", ()) is False and "accepted by the operator" in detail.sub_title
        await pilot.press("escape")
        await wait_for(pilot, lambda: not any(i.kind == "contract failed" for i in dash.items), "the inbox to drop it")


async def test_the_run_views_accept_button_records_it_and_hides_the_choices(app_factory, fake) -> None:
    fake.replies = [Reply(text=BROKEN)]
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        view = await finished_run(pilot, GOOD_SPEC)
        await pilot.click("#accept")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: not shown(view, "accept"), "the choices to go")
        assert view.live.run_id in acceptance.accepted(Project.at(view.live.slug))
        assert "accepted anyway" in view.query_one("#run-status").render().plain
        assert view.check_action("contract_fix", ()) is False
