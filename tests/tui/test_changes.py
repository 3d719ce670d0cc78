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
from tests.tui.conftest import loaded, wait_for
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


def footer_keys(screen) -> set[str] | None:
    """The keys the screen's footer draws, or None while it has not caught up with the screen's bindings.

    The footer recomposes a frame or more after the bindings change, and in between draws keys that are about
    to go, or none at all: a test that read it then saw "m" gone (none drawn) with "d" gone too, or clicked
    where a key was a moment before. Caught up means it draws, laid out, one key for each action the screen's
    bindings show now (the palette's key aside, which the footer adds on its own)."""
    drawn = {
        key.action: key.key
        for key in screen.query(FooterKey)
        if key.region.area and not key.has_class("-command-palette")
    }
    shown = {active.binding.action for active in screen.active_bindings.values() if active.binding.show}
    return set(drawn.values()) if set(drawn) == shown else None


def footer_shows(screen, keys: set[str], hides: set[str] = frozenset()) -> bool:
    """Whether the footer, caught up, draws every key in `keys` and none in `hides`."""
    drawn = footer_keys(screen)
    return drawn is not None and keys <= drawn and not hides & drawn


async def click(pilot, selector: str) -> None:
    """Click a widget of the current screen once it is laid out: a screen just pushed has no regions yet, and
    a click then lands at the screen's corner."""
    await wait_for(
        pilot, lambda: any(w.region.area for w in pilot.app.screen.query(selector)), f"{selector} to be drawn"
    )
    await pilot.click(selector)


async def click_key(pilot, key: str) -> None:
    """Click the footer's key as a person would, with the mouse, once the footer has caught up and draws it;
    then wait for the confirmation it opens."""
    screen = pilot.app.screen
    await wait_for(pilot, lambda: footer_shows(screen, {key}), f"the footer to draw {key}")
    await pilot.click(next(k for k in screen.query(FooterKey) if k.key == key))
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen), f"{key}'s confirmation")


async def open_changes(pilot) -> tuple[RunDetailScreen, ChangesPanel]:
    dashboard = pilot.app.screen
    await loaded(pilot)  # the dashboard's tables are mounted with its first load
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
        await click(pilot, "#yes")
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
        await click(pilot, "#yes")
        await wait_for(pilot, lambda: panel.state == "merged", "the merge")
    assert (repo / "src" / "invoices.py").read_text() == REFACTORED


async def test_a_stateless_run_shows_no_changes_panel(app_factory, isolated: Path) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        live = app.start_dispatch(DispatchRequest(spec_text=GOOD_SPEC, slug="plain"))
        view = app.screen
        await wait_for(pilot, lambda: live.done and view._finished_drawn, "the run to finish")
        assert not any(panel.display for panel in view.query(ChangesPanel)), "no panel, or a hidden one"
        await wait_for(pilot, lambda: footer_keys(view) is not None, "the footer to catch up")
        keys = footer_keys(view)
        assert keys is not None and "r" in keys and not {"m", "d"} & keys
        await pilot.press("m")
        assert not isinstance(app.screen, ConfirmScreen)


async def test_r_in_a_record_resumes_with_feedback(app_factory, fake, isolated: Path) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        first = app.start_dispatch(DispatchRequest(spec_text=GOOD_SPEC, slug="notes"))
        await wait_for(pilot, lambda: first.done and app.screen._finished_drawn, "the run to finish")
        app.push_screen(RunDetailScreen("notes", first.run_id or ""))
        await wait_for(pilot, lambda: footer_shows(app.screen, {"r"}), "the record to load and show r")
        keys = footer_keys(app.screen)
        assert keys is not None and not {"m", "d"} & keys, "a run without a worktree has nothing to merge or drop"
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
        await wait_for(pilot, lambda: footer_shows(detail, {"m", "d", "r"}), "m, d and r in the footer")
        await click_key(pilot, "m")
        await click(pilot, "#yes")
        await wait_for(pilot, lambda: panel.state == "merged", "the merge")
        assert (repo / "src" / "invoices.py").read_text() == REFACTORED
        await wait_for(
            pilot,
            lambda: footer_shows(detail, {"d"}, hides={"m"}),
            "m to leave the footer once merged, and d to stay: the merged worktree can still be dropped",
        )
        await pilot.press("m")
        assert app.screen is detail, "a hidden key does nothing"
        await click_key(pilot, "d")
        await click(pilot, "#yes")
        await wait_for(pilot, lambda: panel.state == "dropped", "the drop")
        await wait_for(pilot, lambda: footer_shows(detail, set(), hides={"m", "d"}), "m and d gone once dropped")
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
        await wait_for(pilot, lambda: footer_keys(view) is not None, "the footer to catch up")
        keys = footer_keys(view)
        assert keys is not None and (live.done or not {"m", "d"} & keys), "nothing to merge while the run goes on"
        await wait_for(
            pilot,
            lambda: live.done and any(panel.state == "review" for panel in view.query(ChangesPanel)),
            "the changes",
        )
        await wait_for(pilot, lambda: footer_shows(view, {"m", "d"}), "m and d in the footer")
        await click_key(pilot, "m")
        await click(pilot, "#yes")
        await wait_for(pilot, lambda: view.query_one(ChangesPanel).state == "merged", "the merge")
    assert (repo / "src" / "invoices.py").read_text() == REFACTORED
