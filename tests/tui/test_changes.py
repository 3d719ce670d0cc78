"""The console's side of agent changes: the inbox lists them, the run's Changes tab shows files and diff, and m / d
merge or drop them after a confirmation. The run itself is a real `command` agent in a real git repo."""

from __future__ import annotations

import sys
from pathlib import Path

from textual.widgets import DataTable, Input
from textual.widgets._footer import FooterKey

from core.config import ModelConfig
from core.engine import DispatchRequest
from tests.agents.test_worktrees import REFACTOR
from tests.helpers import GOOD_SPEC, dispatch, write
from tests.invoices_repo import REFACTORED, SPEC, git, make_repo, tree_state
from tests.tui.conftest import wait_for
from tui.screens.confirm import ConfirmScreen
from tui.screens.dashboard import CHANGES
from tui.screens.feedback import FeedbackScreen
from tui.screens.run_detail import RunDetailScreen
from tui.screens.run_view import RunViewScreen
from tui.widgets.changes_panel import ChangesPanel, DiffView


def agent_run(tmp_path: Path, isolated: Path) -> tuple[Path, dict]:
    """A command agent refactors src/invoices.py in a worktree of a fresh repo, through the real CLI."""
    repo = make_repo(tmp_path / "repo")
    script = write(tmp_path / "refactor.py", REFACTOR)
    write(
        isolated / "home" / "config.toml",
        f'[models.edit]\nbackend = "command"\nargs = ["{sys.executable}", "{script}"]\n',
    )
    spec = write(tmp_path / "task.md", SPEC.replace(SPEC.split("Run: ")[1], "true\n"))
    result = dispatch("run", "--spec", str(spec), "--model", "edit", "--slug", "inv", "--cwd", str(repo), "--json")
    assert result.code == 0, result.stderr
    return repo, result.json()


def footer_keys(screen) -> set[str]:
    """The keys the screen's footer shows now."""
    return {key.key for key in screen.query(FooterKey)}


async def click_key(pilot, key: str) -> None:
    """Click the footer's key as a person would, with the mouse, once the footer has drawn it; then wait for the
    confirmation it opens."""

    def drawn() -> list[FooterKey]:
        return [k for k in pilot.app.screen.query(FooterKey) if k.key == key and k.region.area]

    await wait_for(pilot, lambda: len(drawn()) == 1, f"the footer to draw {key}")
    await pilot.click(drawn()[0])
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen), f"{key}'s confirmation")


async def open_changes(pilot) -> tuple[RunDetailScreen, ChangesPanel]:
    dashboard = pilot.app.screen
    inbox = dashboard.query_one("#inbox", DataTable)
    await wait_for(
        pilot, lambda: any(item.kind == CHANGES for item in dashboard.items), "the inbox to list the changes"
    )
    row = next(i for i, item in enumerate(dashboard.items) if item.kind == CHANGES)
    inbox.focus()
    inbox.move_cursor(row=row)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RunDetailScreen), "the run to open")
    await wait_for(pilot, lambda: bool(pilot.app.screen.query(ChangesPanel)), "the record to load")
    panel = pilot.app.screen.query_one(ChangesPanel)
    await wait_for(pilot, lambda: panel.state == "review", "the changes to load")
    return pilot.app.screen, panel


async def test_the_inbox_lists_changes_and_m_merges_them(app_factory, tmp_path: Path, isolated: Path) -> None:
    repo, envelope = agent_run(tmp_path, isolated)
    before = tree_state(repo)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        detail, panel = await open_changes(pilot)
        files = panel.query_one(DataTable)
        assert files.row_count == 1 and files.get_row_at(0)[0] == "src/invoices.py"
        assert str(files.get_row_at(0)[2]) == "+2" and str(files.get_row_at(0)[3]) == "-2"
        view = panel.query_one(DiffView)
        diff = "\n".join(view.lines)
        assert "+    return [field.strip()" in "".join(view.render_line(y).text for y in range(view.size.height))
        assert '+    return [field.strip() for field in text.split(",")]' in diff
        assert tree_state(repo) == before, "looking changes nothing"
        await pilot.press("m")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        assert tree_state(repo) == before, "a declined merge changes nothing"
        await pilot.press("m")
        await pilot.click("#yes")
        await wait_for(pilot, lambda: panel.state == "merged", "the merge")
        assert (repo / "src" / "invoices.py").read_text() == REFACTORED
        assert envelope["worktree"]["branch"] in git(repo, "branch", "--merged", "main")
        await pilot.press("escape")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: not any(i.kind == CHANGES for i in app.screen.items), "the inbox to drop it")


async def test_d_drops_the_changes_after_a_confirmation(app_factory, tmp_path: Path, isolated: Path) -> None:
    repo, envelope = agent_run(tmp_path, isolated)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        _, panel = await open_changes(pilot)
        await pilot.press("d")
        await pilot.press("y")
        await wait_for(pilot, lambda: panel.state == "dropped", "the drop")
        assert not Path(envelope["worktree"]["path"]).exists()
        assert git(repo, "branch", "--list", "dispatch/*") == ""
        assert (repo / "src" / "invoices.py").read_text() != REFACTORED, "dropping never touches the user's tree"


async def test_the_run_view_of_a_live_agent_run_shows_its_changes_and_m_merges(
    app_factory, config, tmp_path: Path, isolated: Path
) -> None:
    repo = make_repo(tmp_path / "repo")
    script = write(tmp_path / "refactor.py", REFACTOR)
    config.models["edit"] = ModelConfig(name="edit", backend="command", args=[sys.executable, str(script)])
    app = app_factory(config=config)
    async with app.run_test(size=(120, 40)) as pilot:
        live = app.start_dispatch(
            DispatchRequest(
                spec_text=SPEC.replace(SPEC.split("Run: ")[1], "true\n"), model="edit", slug="live", cwd=repo
            )
        )
        view = app.screen
        assert isinstance(view, RunViewScreen)
        await wait_for(pilot, lambda: live.done and view._finished_drawn, "the run to finish")
        panel = view.query_one(ChangesPanel)
        await wait_for(pilot, lambda: panel.state == "review", "the changes to load")
        assert panel.display and panel.query_one(DataTable).row_count == 1
        await pilot.press("m")
        await pilot.click("#yes")
        await wait_for(pilot, lambda: panel.state == "merged", "the merge")
    assert (repo / "src" / "invoices.py").read_text() == REFACTORED


async def test_a_stateless_run_shows_no_changes_panel(app_factory, isolated: Path) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        live = app.start_dispatch(DispatchRequest(spec_text=GOOD_SPEC, slug="plain"))
        view = app.screen
        await wait_for(pilot, lambda: live.done and view._finished_drawn, "the run to finish")
        assert not view.query_one(ChangesPanel).display
        assert not {"m", "d"} & footer_keys(view) and "r" in footer_keys(view)
        await pilot.press("m")
        assert not isinstance(app.screen, ConfirmScreen)


async def test_r_in_a_record_resumes_with_feedback(app_factory, fake, isolated: Path) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        first = app.start_dispatch(DispatchRequest(spec_text=GOOD_SPEC, slug="notes"))
        await wait_for(pilot, lambda: first.done and app.screen._finished_drawn, "the run to finish")
        app.push_screen(RunDetailScreen("notes", first.run_id or ""))
        await wait_for(pilot, lambda: "r" in footer_keys(app.screen), "the record to load and show r")
        assert not {"m", "d"} & footer_keys(app.screen), "a run without a worktree has nothing to merge or drop"
        await pilot.press("r")
        assert isinstance(app.screen, FeedbackScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, RunDetailScreen), "cancelled: nothing is sent"
        await pilot.press("r")
        app.screen.query_one("#feedback", Input).value = "the test for empty input fails"
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, RunViewScreen) and app.screen.live is not first, "the resumed run"
        )
        resumed = app.screen.live
        await wait_for(pilot, lambda: resumed.done, "the resumed run to finish")
    assert resumed.request.kind == "resume" and resumed.status == "ok"
    assert fake.requests[-1]["messages"][-1]["content"].endswith("the test for empty input fails")


async def test_the_footer_shows_m_and_d_while_they_apply_and_clicking_them_works(
    app_factory, tmp_path: Path, isolated: Path
) -> None:
    repo, envelope = agent_run(tmp_path, isolated)
    app = app_factory()
    async with app.run_test(size=(160, 40)) as pilot:
        detail, panel = await open_changes(pilot)
        await wait_for(pilot, lambda: {"m", "d", "r"} <= footer_keys(detail), "m, d and r in the footer")
        await click_key(pilot, "m")
        await pilot.click("#yes")
        await wait_for(pilot, lambda: panel.state == "merged", "the merge")
        assert (repo / "src" / "invoices.py").read_text() == REFACTORED
        await wait_for(pilot, lambda: "m" not in footer_keys(detail), "m to leave the footer once merged")
        assert "d" in footer_keys(detail), "the merged worktree can still be dropped"
        await pilot.press("m")
        assert app.screen is detail, "a hidden key does nothing"
        await click_key(pilot, "d")
        await pilot.click("#yes")
        await wait_for(pilot, lambda: panel.state == "dropped", "the drop")
        await wait_for(pilot, lambda: not {"m", "d"} & footer_keys(detail), "m and d gone once dropped")
        assert not Path(envelope["worktree"]["path"]).exists()


async def test_the_run_view_shows_m_and_d_only_once_the_finished_run_has_changes(
    app_factory, config, tmp_path: Path, isolated: Path
) -> None:
    repo = make_repo(tmp_path / "repo")
    script = write(tmp_path / "refactor.py", REFACTOR)
    config.models["edit"] = ModelConfig(name="edit", backend="command", args=[sys.executable, str(script)])
    app = app_factory(config=config)
    async with app.run_test(size=(160, 40)) as pilot:
        live = app.start_dispatch(
            DispatchRequest(
                spec_text=SPEC.replace(SPEC.split("Run: ")[1], "true\n"), model="edit", slug="live", cwd=repo
            )
        )
        view = app.screen
        assert not {"m", "d"} & footer_keys(view), "nothing to merge while the run goes on"
        await wait_for(pilot, lambda: live.done and view.query_one(ChangesPanel).state == "review", "the changes")
        await wait_for(pilot, lambda: {"m", "d"} <= footer_keys(view), "m and d in the footer")
        await click_key(pilot, "m")
        await pilot.click("#yes")
        await wait_for(pilot, lambda: view.query_one(ChangesPanel).state == "merged", "the merge")
    assert (repo / "src" / "invoices.py").read_text() == REFACTORED
