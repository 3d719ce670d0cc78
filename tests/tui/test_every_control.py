"""Every button is clicked and every binding pressed, on every screen, and each one's effect is checked.

A `Walk` records what was clicked and pressed on each screen; each test ends by asserting that nothing on the
screens it visited was left out, so a button or binding added later without a test here fails the suite; and a
screen that no walk visits at all fails `test_every_screen_is_walked_and_every_binding_can_be_tracked`.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import tomllib
from collections import defaultdict
from pathlib import Path

from textual.binding import Binding
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, TextArea
from textual.widgets._footer import FooterKey

import tui.screens
from core.audit.store import Project
from core.escalation import ESCALATIONS
from core.fsutil import read_json_lines
from tests.helpers import GOOD_SPEC, write
from tests.tui.conftest import REPLY, done, loaded, seed_run, type_spec, until_run_view, wait_for
from tui.screens.audit import PAGE, AuditScreen
from tui.screens.base import DispatchScreen
from tui.screens.batch import BatchScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.editor import EditorScreen
from tui.screens.escalate import EscalateScreen
from tui.screens.feedback import FeedbackScreen
from tui.screens.file_picker import FilePickerScreen, SourceTree
from tui.screens.run_detail import RunDetailScreen
from tui.screens.run_view import RunViewScreen
from tui.screens.settings import SettingsScreen
from tui.screens.tier_picker import TierPickerScreen
from tui.widgets.runs_table import RunsTable

VAGUE = "Goal: fix it\n\nOutput: the answer as one sentence\n"
BROKEN = "## Notes\n\nStart-up is faster. Crashes are rarer.\n"
"""An answer that breaks GOOD_SPEC's Output contract (plain text, one sentence)."""


class Walk:
    """Clicks and key presses through Pilot, remembered per screen class, to prove every control was tried."""

    def __init__(self, pilot: Pilot) -> None:
        self.pilot = pilot
        self.clicked: dict[type[Screen], set[str]] = defaultdict(set)
        self.pressed: dict[type[Screen], set[str]] = defaultdict(set)
        self.seen: dict[type[Screen], set[str]] = {}
        self.bindings: dict[type[Screen], set[str]] = {}

    @property
    def screen(self) -> Screen:
        return self.pilot.app.screen

    def _look(self) -> None:
        screen = self.screen
        buttons = self.seen.setdefault(type(screen), set())
        buttons.update(button.id for button in screen.query(Button) if button.id)
        self.bindings[type(screen)] = {b.id for b in type(screen).BINDINGS if getattr(b, "id", None)}

    async def click(self, button_id: str) -> None:
        self._look()
        button = self.screen.query_one(f"#{button_id}", Button)
        assert not button.disabled, f"#{button_id} is disabled"
        self.clicked[type(self.screen)].add(button_id)
        await self.pilot.click(f"#{button_id}")
        await self.pilot.pause()

    async def press(self, binding_id: str) -> None:
        self._look()
        screen = type(self.screen)
        binding = next(b for b in screen.BINDINGS if getattr(b, "id", None) == binding_id)
        self.pressed[screen].add(binding_id)
        await self.pilot.press(binding.key.split(",")[0])
        await self.pilot.pause()

    def assert_complete(self, *screens: type[Screen]) -> None:
        for screen in screens:
            assert screen in self.seen, f"{screen.__name__} was never visited"
            missed = self.seen[screen] - self.clicked[screen]
            assert not missed, f"{screen.__name__}: buttons never clicked: {sorted(missed)}"
            unpressed = self.bindings[screen] - self.pressed[screen]
            assert not unpressed, f"{screen.__name__}: bindings never pressed: {sorted(unpressed)}"


def screen_classes() -> set[type[Screen]]:
    """Every screen and modal the console defines, found by importing each module of tui/screens."""
    found: set[type[Screen]] = set()
    for module in pkgutil.iter_modules(tui.screens.__path__):
        loaded = importlib.import_module(f"tui.screens.{module.name}")
        found.update(
            value
            for value in vars(loaded).values()
            if inspect.isclass(value) and issubclass(value, Screen) and value.__module__ == loaded.__name__
        )
    return found


def walked() -> set[str]:
    """The screens some test here ends with `walk.assert_complete(...)` on, read from this file's own source."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(Path(__file__).read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "assert_complete":
            names.update(arg.id for arg in node.args if isinstance(arg, ast.Name))
    return names


def test_every_screen_is_walked_and_every_binding_can_be_tracked() -> None:
    """A new screen fails here until a walk below clicks its buttons and presses its keys; a binding without an id
    could not be tracked by `Walk`, so every binding needs one."""
    screens = screen_classes() - {DispatchScreen}
    assert {screen.__name__ for screen in screens} - walked() == set(), "screens no walk covers"
    for screen in screens:
        for binding in screen.BINDINGS:
            assert isinstance(binding, Binding) and binding.id, f"{screen.__name__}: {binding} has no id"


def notices(app) -> set[str]:
    """The toasts on screen now, by identity: a count would drop when one times out between two looks."""
    return {notice.identity for notice in app._notifications}


def saved(path: Path) -> bool:
    """Whether the editor's spec is in the file now."""
    return path.exists() and path.read_text() == GOOD_SPEC


async def test_editor_tier_picker_and_confirm(app_factory, isolated: Path, sqlite_on_loop) -> None:
    (isolated / "task.md").write_text(GOOD_SPEC)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        walk = Walk(pilot)
        await pilot.press("f3")
        editor = app.screen
        assert isinstance(editor, EditorScreen)
        editor.query_one("#path", Input).value = "task.md"
        await walk.click("open")
        await wait_for(pilot, lambda: editor.text == GOOD_SPEC, "the file opened (read in a thread)")
        editor.query_one("#path", Input).value = "copy.md"
        await walk.click("save")
        await wait_for(pilot, lambda: saved(isolated / "copy.md"), "the file saved (written in a thread)")
        editor.query_one("#path", Input).value = "task.md"
        type_spec(pilot, "")
        await walk.press("editor.open")
        await wait_for(pilot, lambda: editor.text == GOOD_SPEC, "the file opened by its key")
        editor.query_one("#path", Input).value = "keys.md"
        await walk.press("editor.save")
        await wait_for(pilot, lambda: saved(isolated / "keys.md"), "the file saved by its key")

        await walk.click("tier")
        assert isinstance(app.screen, TierPickerScreen)
        await walk.click("cancel")
        assert app.screen is editor and editor.choice is None
        await walk.press("editor.tier")
        picker = app.screen
        assert isinstance(picker, TierPickerScreen)
        await walk.press("tier.cancel")
        assert app.screen is editor and editor.choice is None
        await walk.click("tier")
        app.screen.query_one("#tiers").highlighted = list(app.screen.tiers).index("coding")
        await pilot.pause()
        await walk.click("choose")
        assert app.screen is editor and editor.choice is not None and editor.choice.tier == "coding"
        await walk.press("editor.tier")
        app.screen.query_one("#tiers").highlighted = list(app.screen.tiers).index("agentic")
        await pilot.pause()
        await walk.press("tier.choose")
        assert app.screen is editor and editor.choice.tier == "agentic"

        type_spec(pilot, VAGUE)
        await pilot.pause()
        line = editor.findings[1].line
        await walk.press("editor.next-finding")
        await walk.press("editor.next-finding")
        assert editor.query_one("#spec", TextArea).cursor_location[0] == line - 1
        await walk.press("editor.dispatch")
        assert app.screen is editor, "errors stand: dispatch must not start"
        await walk.click("force")
        assert isinstance(app.screen, ConfirmScreen)
        await walk.click("no")
        assert app.screen is editor
        await walk.press("editor.force")
        assert isinstance(app.screen, ConfirmScreen)
        await walk.press("confirm.cancel")
        assert app.screen is editor and not app.live_runs
        await walk.press("editor.force")
        await walk.press("confirm.yes")
        forced = await until_run_view(pilot, editor)
        assert Project.at(forced.live.slug).read_run(forced.live.run_id)["forced"] is True
        await pilot.press("f3")
        await walk.click("force")
        await walk.click("yes")
        again = await until_run_view(pilot, forced)
        assert again.live.request.force

        await pilot.press("f3")
        type_spec(pilot, GOOD_SPEC)
        await pilot.pause()
        await walk.click("dispatch")
        clicked = await until_run_view(pilot, again)
        assert clicked.live.status == "ok" and not clicked.live.request.force
        await pilot.press("f3")
        await walk.press("editor.dispatch")
        pressed = await until_run_view(pilot, clicked)
        assert pressed.live.status == "ok"
        walk.assert_complete(EditorScreen, TierPickerScreen, ConfirmScreen)
    assert not sqlite_on_loop, "\n".join(sqlite_on_loop)


async def test_run_view_record_and_escalate(app_factory, fake, sqlite_on_loop) -> None:
    from tests.fakes.openai_server import Reply

    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        walk = Walk(pilot)
        await pilot.press("f3")
        type_spec(pilot, GOOD_SPEC)
        await pilot.pause()
        editor = app.screen
        await pilot.press("ctrl+r")
        view = await until_run_view(pilot, editor)
        slug, run_id = view.live.slug, view.live.run_id

        shown = {key.key for key in view.query(FooterKey)}
        assert "r" in shown and not {"m", "d", "x"} & shown, "ended, no worktree: x, m and d are not offered"
        for binding in ("run.cancel", "run.merge", "run.drop"):
            before = notices(app)
            await walk.press(binding)
            assert app.screen is view and not notices(app) - before, "a key not offered does nothing"
        await walk.click("open_record")
        detail = app.screen
        assert isinstance(detail, RunDetailScreen) and detail.run_id == run_id
        await loaded(pilot)
        assert not {"m", "d"} & {key.key for key in detail.query(FooterKey)}
        for binding in ("detail.merge", "detail.drop"):
            before = notices(app)
            await walk.press(binding)
            assert app.screen is detail and not notices(app) - before, "a key not offered does nothing"
        await walk.press("detail.resume")
        assert isinstance(app.screen, FeedbackScreen)
        await walk.click("cancel")
        assert isinstance(app.screen, RunDetailScreen)
        await walk.press("detail.resume")
        await walk.press("feedback.cancel")
        assert isinstance(app.screen, RunDetailScreen)
        await walk.press("detail.resume")
        await walk.click("go")
        assert isinstance(app.screen, FeedbackScreen), "no feedback typed: it asks for some"
        app.screen.query_one("#feedback", Input).value = "shorter please"
        app.clear_notifications()  # the warning's toast would sit over the button
        go = app.screen.query_one("#go", Button)
        await wait_for(pilot, lambda: not go.has_class("-active"), "the first press's effect to end")
        await walk.click("go")
        fed = await until_run_view(pilot, view)
        assert fed.live.request.kind == "resume" and fake.requests[-1]["messages"][-1]["content"].endswith(
            "shorter please"
        )
        await walk.press("run.back")
        assert isinstance(app.screen, RunDetailScreen)
        await walk.press("detail.back")
        assert app.screen is view
        await walk.press("run.record")
        assert isinstance(app.screen, RunDetailScreen)
        await walk.press("detail.escalate")
        assert isinstance(app.screen, EscalateScreen)
        await walk.press("escalate.cancel")
        assert isinstance(app.screen, RunDetailScreen)
        await walk.press("detail.review")
        reviewed = await until_run_view(pilot, view)
        assert reviewed.live.request.kind == "review"
        await walk.press("run.back")
        await walk.press("detail.back")
        assert app.screen is view

        await walk.click("review")
        by_click = await until_run_view(pilot, view)
        assert by_click.live.request.kind == "review" and by_click.live.status == "ok"
        await walk.press("run.back")
        await walk.press("run.review")
        by_key = await until_run_view(pilot, view)
        assert by_key.live.request.kind == "review"
        await walk.press("run.back")
        assert app.screen is view

        await walk.click("resume")
        assert view.query_one("#prompt", Input).has_focus, "an empty prompt: Resume asks for one"
        await pilot.press(*"now shorter")
        await walk.click("resume")
        resumed = await until_run_view(pilot, view)
        assert resumed.live.request.kind == "resume" and fake.requests[-1]["messages"][-1]["content"] == "now shorter"
        await walk.press("run.back")
        app.set_focus(None)
        await walk.press("run.resume")
        assert view.query_one("#prompt", Input).has_focus

        app.set_focus(None)
        await walk.click("escalate")
        modal = app.screen
        assert isinstance(modal, EscalateScreen)
        await walk.click("cancel")
        assert app.screen is view
        await walk.press("run.escalate")
        assert isinstance(app.screen, EscalateScreen)
        await pilot.click(app.screen.query("RadioButton").last())
        app.screen.query_one("#reason", Input).value = "needs a decision"
        await walk.click("go")
        assert app.screen is view
        await wait_for(pilot, lambda: read_json_lines(Project.at(slug).logs / ESCALATIONS)[0], "the hand-back recorded")
        trail, _ = read_json_lines(Project.at(slug).logs / ESCALATIONS)
        assert trail[-1]["to"] == "primary" and trail[-1]["reason"] == "needs a decision"

        fake.replies = [Reply(text=BROKEN), Reply(text=REPLY)]
        await pilot.press("f3")
        await pilot.press("ctrl+r")
        broken = await until_run_view(pilot, view)
        await wait_for(pilot, lambda: broken._finished_drawn, "the broken run to end")
        assert broken.live.envelope.reason == "contract_violation"
        await walk.click("contract_fix")
        fixed = await until_run_view(pilot, broken)
        assert fixed.live.request.kind == "resume" and "Output contract" in fake.requests[-1]["messages"][-1]["content"]
        await walk.press("run.back")
        await walk.press("run.contract_fix")
        await until_run_view(pilot, broken)
        await walk.press("run.back")
        await walk.press("run.record")
        record = app.screen
        assert isinstance(record, RunDetailScreen)
        await wait_for(pilot, lambda: "run_id" in record.record, "the record to load")
        await walk.press("detail.contract_fix")
        await until_run_view(pilot, broken)
        await walk.press("run.back")
        await walk.press("detail.accept")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "accept's question")
        await pilot.press("y")
        await wait_for(pilot, lambda: record.accepted is not None, "the acceptance")
        await walk.press("detail.back")
        assert app.screen is broken
        await walk.click("accept")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "accept's question")
        await pilot.press("y")
        await wait_for(pilot, lambda: broken._accepted, "the run view's acceptance")
        before = notices(app)
        await walk.press("run.accept")
        assert not notices(app) - before, "accepted: a is no longer offered and does nothing"

        fake.replies = [Reply(text="slow " * 40, chunks=40, hang_after_first=30)]
        await pilot.press("f3")
        await pilot.press("ctrl+r")
        slow = app.screen
        assert isinstance(slow, RunViewScreen)
        await wait_for(pilot, lambda: bool(slow.live.text), "the first tokens")
        app.set_focus(None)
        await walk.press("run.cancel")
        await wait_for(pilot, lambda: slow.live.done, "the cancel to land")
        assert Project.at(slow.live.slug).read_run(slow.live.run_id)["status"] == "interrupted"
        walk.assert_complete(RunViewScreen, RunDetailScreen, EscalateScreen, FeedbackScreen)
    assert not sqlite_on_loop, "\n".join(sqlite_on_loop)


async def test_dashboard_audit_and_settings(app_factory, config, sqlite_on_loop) -> None:
    for number in range(PAGE + 5):
        seed_run(
            "bulk-notes",
            f"20261121-10{number // 60:02d}{number % 60:02d}-1-{number}",
            result=f"answer {number}" + (" with a pelican" if number == 3 else ""),
            started_at=f"2026-11-21T10:{number // 60:02d}:{number % 60:02d}.000+00:00",
        )
    seed_run(
        "stuck-task",
        "20261121-110500-1-1",
        status="blocked",
        error="needs the API schema",
        started_at="2026-11-21T11:05:00.000+00:00",
    )
    config.path.parent.mkdir(parents=True, exist_ok=True)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        walk = Walk(pilot)
        dash = app.screen
        assert isinstance(dash, DashboardScreen)
        seed_run("late-arrival", "20261121-115000-1-1", started_at="2026-11-21T11:50:00.000+00:00")
        await walk.press("dash.refresh")
        projects = dash.query_one("#projects", DataTable)
        await wait_for(pilot, lambda: projects.row_count == 3, "the refreshed project list")
        await walk.press("dash.new")
        assert isinstance(app.screen, EditorScreen)
        await pilot.press("f2")
        dash.query_one("#inbox", DataTable).focus()
        await walk.press("dash.escalate")
        assert isinstance(app.screen, EscalateScreen)
        await pilot.press("escape")
        dash.query_one("#inbox", DataTable).focus()
        await walk.press("dash.open")
        assert isinstance(app.screen, RunDetailScreen) and app.screen.run_id == "20261121-110500-1-1"
        await pilot.press("escape")
        await walk.press("dash.batch")
        assert isinstance(app.screen, BatchScreen)
        await pilot.press("f2")

        await pilot.press("f4")
        audit = app.screen
        assert isinstance(audit, AuditScreen)
        await wait_for(pilot, lambda: audit.total == PAGE + 7, "every run listed")
        audit.query_one("#runs", RunsTable).focus()
        await walk.press("audit.next")
        await wait_for(pilot, lambda: audit.page == 1, "the next page")
        await walk.press("audit.prev")
        await wait_for(pilot, lambda: audit.page == 0, "the first page again")
        await walk.press("audit.search")
        assert audit.query_one("#search", Input).has_focus
        await pilot.press(*"pelican", "enter")
        await wait_for(pilot, lambda: audit.total == 1, "one search hit")
        await walk.press("audit.clear")
        await wait_for(pilot, lambda: audit.total == PAGE + 7, "the filters cleared")
        assert audit.query_one("#search", Input).value == ""
        seed_run("later-still", "20261121-115500-1-1", started_at="2026-11-21T11:55:00.000+00:00")
        await walk.press("audit.refresh")
        await wait_for(pilot, lambda: audit.total == PAGE + 8, "the new run after a refresh")

        await pilot.press("f5")
        await loaded(pilot)
        settings = app.screen
        assert isinstance(settings, SettingsScreen)
        settings.query_one("#timeout", Input).value = "90"
        await walk.click("save")
        await done(pilot, "settings-save")
        assert tomllib.loads(config.path.read_text())["defaults"]["timeout"] == 90
        assert app.config.defaults.timeout == 90
        settings.query_one("#timeout", Input).value = "45"
        await walk.click("revert")
        await loaded(pilot)
        assert settings.query_one("#timeout", Input).value == "90"
        settings.query_one("#timeout", Input).value = "75"
        app.set_focus(None)
        await walk.press("settings.save")
        await done(pilot, "settings-save")
        assert tomllib.loads(config.path.read_text())["defaults"]["timeout"] == 75
        settings.query_one("#timeout", Input).value = "5"
        app.set_focus(None)
        await walk.press("settings.revert")
        await loaded(pilot)
        assert settings.query_one("#timeout", Input).value == "75"
        walk.assert_complete(DashboardScreen, AuditScreen, SettingsScreen)

        for key, screen in (
            ("f2", DashboardScreen),
            ("f3", EditorScreen),
            ("f4", AuditScreen),
            ("f5", SettingsScreen),
            ("f6", BatchScreen),
        ):
            await pilot.press(key)
            assert isinstance(app.screen, screen), key
        assert {b.key for b in app.BINDINGS} == {"f2", "f3", "f4", "f5", "f6", "ctrl+q"}
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: app.return_code == 0, "the app to quit")
    assert not sqlite_on_loop, "\n".join(sqlite_on_loop)


async def test_batch_screen(app_factory, fake, isolated: Path, sqlite_on_loop) -> None:
    folder = isolated / "batch-specs"
    for n in range(2):
        write(folder / f"s{n}.md", GOOD_SPEC.replace("3. Fewer crashes.", f"3. Fewer crashes. Item {n}."))
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        walk = Walk(pilot)
        await pilot.press("f6")
        screen = app.screen
        assert isinstance(screen, BatchScreen)
        app.set_focus(None)  # x and enter are the screen's, not a field's
        await walk.press("batch.cancel")
        assert any("no batch is running here" in n.message for n in app._notifications)
        await walk.press("batch.start")
        assert any("no manifest or folder given" in n.message for n in app._notifications)
        assert screen.current_batch is None and fake.requests == []
        source = screen.query_one("#batch-source", Input)

        async def picker_shown() -> SourceTree:
            await wait_for(pilot, lambda: isinstance(app.screen, FilePickerScreen), "the file picker")
            tree = app.screen.query_one(SourceTree)
            await wait_for(pilot, lambda: len(tree.root.children) > 0, "the working directory listed")
            return tree

        async def picker_gone() -> None:
            await wait_for(pilot, lambda: app.screen is screen, "the picker to close")

        await walk.click("batch-browse")
        await picker_shown()
        await walk.click("picker-cancel")
        await picker_gone()
        await walk.press("batch.browse")
        await picker_shown()
        await walk.press("picker.cancel")
        await picker_gone()
        assert source.value == ""
        await walk.click("batch-browse")
        await picker_shown()
        await walk.click("picker-choose")  # the highlighted root: the working directory
        await picker_gone()
        assert source.value == "."
        await walk.press("batch.browse")
        tree = await picker_shown()
        await pilot.press("down")
        assert tree.cursor_node is not None and str(tree.cursor_node.label) == "batch-specs"
        await walk.press("picker.choose")
        await picker_gone()
        assert source.value == "batch-specs"
        await walk.click("batch-start")
        await wait_for(pilot, lambda: screen.shown is not None and screen.current_batch is None, "the batch to end")
        await pilot.pause()
        assert [row.status for row in screen.rows] == ["ok", "ok"] and len(fake.requests) == 2
        before = notices(app)
        await walk.click("batch-cancel")
        await wait_for(pilot, lambda: notices(app) - before, "the answer to cancel (read in a thread)")
        assert "is not running (it is finished)" in list(app._notifications)[-1].message
        table = screen.query_one("#batch-items", DataTable)
        table.focus()
        table.move_cursor(row=1)
        await walk.press("batch.open")
        await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen), "the item's run record")
        assert app.screen.run_id == screen.rows[1].run_id
        walk.assert_complete(BatchScreen, FilePickerScreen)
    assert not sqlite_on_loop, "\n".join(sqlite_on_loop)
