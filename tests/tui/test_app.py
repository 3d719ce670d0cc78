"""App-wide promises: themes are data (three or more, one light) and CSS uses only theme variables; every
action is in the command palette; an unforeseen failure becomes a notification, never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

from textual.binding import Binding

from tests.helpers import GOOD_SPEC
from tests.tui.conftest import type_spec, wait_for
from tui.app import DispatchApp
from tui.commands import APP_ACTIONS, SCREEN_ACTIONS
from tui.screens.audit import AuditScreen
from tui.screens.batch import BatchScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.editor import EditorScreen
from tui.screens.file_picker import FilePickerScreen
from tui.screens.run_detail import RunDetailScreen
from tui.screens.run_view import RunViewScreen
from tui.screens.settings import SettingsScreen
from tui.themes import THEMES_DIR, load_themes

TUI = Path(__file__).resolve().parents[2] / "tui"


def test_themes_are_data_files_with_a_light_one() -> None:
    themes = load_themes()
    assert len(themes) >= 3 and len(themes) == len(list(THEMES_DIR.glob("*.toml")))
    assert any(not theme.dark for theme in themes)


def test_css_uses_theme_variables_only() -> None:
    css = "\n".join(path.read_text() for path in TUI.rglob("*.tcss"))
    css += "\n".join(
        re.findall(r'DEFAULT_CSS = """(.*?)"""', "\n".join(p.read_text() for p in TUI.rglob("*.py")), re.S)
    )
    colour = re.compile(
        r"(?:color|background|border[a-z-]*|tint)\s*:[^;]*?(#[0-9a-fA-F]{3,8}\b|rgb\(|\b(?:red|green|blue|white|black|yellow)\b)"
    )
    assert not colour.findall(css)


def test_every_bound_action_is_in_the_command_palette() -> None:
    for binding in DispatchApp.BINDINGS:
        assert isinstance(binding, Binding) and binding.id and binding.description
        assert binding.action in {action for _, action, _ in APP_ACTIONS}, f"app: {binding.action} has no palette entry"
    for screen in (
        DashboardScreen,
        EditorScreen,
        RunViewScreen,
        AuditScreen,
        RunDetailScreen,
        SettingsScreen,
        BatchScreen,
        FilePickerScreen,
    ):
        palette = {action for _, action, _ in SCREEN_ACTIONS[screen.__name__]}
        for binding in screen.BINDINGS:
            assert isinstance(binding, Binding) and binding.id and binding.description
            assert binding.action in palette, f"{screen.__name__}: {binding.action} has no palette entry"
        for action in palette:
            assert hasattr(screen, f"action_{action}"), f"{screen.__name__}: the palette offers a missing {action}"


async def test_the_palette_finds_dispatch_in_the_editor(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3", "ctrl+p", *"force dispatch")

        def first_hit() -> str:
            lists = app.screen.query("CommandList")
            return str(lists.first().get_option_at_index(0).prompt) if lists and lists.first().option_count else ""

        await wait_for(pilot, lambda: "Force dispatch" in first_hit(), "the palette to list Force dispatch")
        await pilot.press("enter")
        assert app.screen.__class__.__name__ == "ConfirmScreen", "the palette runs the editor's own action"


async def test_an_unforeseen_failure_becomes_a_notification(app_factory, isolated: Path, monkeypatch) -> None:
    blocker = isolated / "not-a-directory"
    blocker.write_text("a file where the projects directory should be")
    monkeypatch.setenv("DISPATCH_PROJECTS_DIR", str(blocker / "projects"))
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        type_spec(pilot, GOOD_SPEC)
        await pilot.pause()
        await pilot.press("ctrl+r")
        view = app.screen
        await wait_for(
            pilot,
            lambda: view.live.done and any("failed" in n.message for n in app._notifications),
            "the failure to be reported",
        )
        assert view.live.status == "failed" and "NotADirectoryError" in (view.live.error or "")
        assert app.is_running and isinstance(app.screen, RunViewScreen)


def test_a_wheel_carries_the_themes(tmp_path: Path) -> None:
    """A non-editable install has no repo folder to read themes from; they must ship as package data."""
    import subprocess
    import sys
    import zipfile

    from tests.helpers import ROOT

    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(tmp_path.glob("dispatch_console-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {name.rsplit("/", 1)[-1] for name in names if name.startswith("themes/") and name.endswith(".toml")}
    assert shipped == {path.name for path in THEMES_DIR.glob("*.toml")} and len(shipped) >= 3


async def test_the_palette_offers_only_what_the_showing_screen_does(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")

        def titles() -> list[str]:
            lists = app.screen.query("CommandList")
            if not lists:
                return []
            options = lists.first()
            return [str(options.get_option_at_index(i).prompt).split("\n")[0] for i in range(options.option_count)]

        await wait_for(pilot, lambda: "New spec" in " ".join(titles()), "the palette to list the dashboard's actions")
        listed = " | ".join(titles())
        assert listed.count("Quit") == 1 and "Open spec file" not in listed and "Save settings" not in listed


def test_long_names_are_cut_in_the_middle_so_similar_slugs_stay_apart() -> None:
    from tui.format import clip

    sea, hills = clip("write-a-short-poem-about-the-sea-for-a", 17), clip("write-a-short-poem-about-the-hills-for", 17)
    assert len(sea) == len(hills) == 17 and sea != hills and sea.startswith("write-a-") and "…" in sea
    assert clip("short", 17) == "short"


def test_the_cli_opens_the_console_through_its_entry_point() -> None:
    """core/ names no UI module: `dispatch` finds the console through the package's entry point."""
    from importlib.metadata import entry_points

    from core.cli.ui import UI_ENTRY_POINTS
    from tui.app import run_console

    assert next(iter(entry_points(group=UI_ENTRY_POINTS, name="console"))).load() is run_console


def test_a_missing_console_is_one_line_and_exit_2(monkeypatch, capsys) -> None:
    import importlib.metadata

    from core.cli import main

    monkeypatch.setattr(importlib.metadata, "entry_points", lambda **kwargs: [])
    assert main(["ui"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "console cannot start" in err[0]


async def test_a_theme_picked_from_the_palette_is_kept_in_config_toml(app_factory, config) -> None:
    import tomllib

    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        app.search_themes()
        await pilot.pause()
        await pilot.press(*"dispatch-light")

        def first_hit() -> str:
            lists = app.screen.query("CommandList")
            return str(lists.first().get_option_at_index(0).prompt) if lists and lists.first().option_count else ""

        await wait_for(pilot, lambda: "dispatch-light" in first_hit(), "the theme picker to list dispatch-light")
        await pilot.press("enter")
        await wait_for(pilot, lambda: config.path.exists(), "the theme to be kept")
        assert tomllib.loads(config.path.read_text())["defaults"]["theme"] == "dispatch-light"
        assert app.theme == "dispatch-light" and app.config.defaults.theme == "dispatch-light"


async def test_at_80_columns_every_screen_s_footer_keys_fit_and_the_names_come_back_when_wider(app_factory) -> None:
    from textual.widgets._footer import FooterKey

    def keys() -> list[FooterKey]:
        return list(pilot.app.screen.query(FooterKey))

    def fitted(width: int) -> bool:
        """Every key drawn whole (as wide as its label wants), inside the screen, and none under the palette's
        key, which is docked on the right over whatever reaches it."""
        drawn = keys()
        palette = [k for k in drawn if k.has_class("-command-palette")]
        edge = palette[0].region.x if palette else width
        return bool(drawn) and all(
            k.region.width >= k.render().cell_len and k.region.right <= (width if k in palette else edge) for k in drawn
        )

    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        for key, screen in (("f2", DashboardScreen), ("f3", EditorScreen), ("f4", AuditScreen), ("f5", SettingsScreen)):
            await pilot.press(key)
            assert isinstance(app.screen, screen)
            await wait_for(pilot, lambda: fitted(80), f"every key of the {screen.__name__} footer within 80 columns")
            named = {k.key: k.description for k in keys()}
            assert named["f2"] == "" and named[key] == "", "the app's keys show only the key"
            assert all(named[k.key] for k in keys() if k.key not in {"f2", "f3", "f4", "f5", "ctrl+p"})
        await pilot.resize_terminal(120, 40)
        await wait_for(
            pilot, lambda: {k.description for k in keys()} >= {"Home", "Settings"}, "the app's key names back at 120"
        )


def test_the_entry_point_keeps_the_collector_off_the_start_up_heap_before_the_console_opens(monkeypatch) -> None:
    import gc

    from tui import app as console

    seen: list[tuple[tuple[int, ...], bool]] = []
    monkeypatch.setattr(
        console.DispatchApp, "run", lambda self: seen.append((gc.get_threshold(), gc.get_freeze_count() > 0))
    )
    thresholds = gc.get_threshold()
    try:
        assert console.run_console() == 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
    assert seen == [(console.GC_THRESHOLDS, True)]
