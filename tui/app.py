"""The console app: one factory (`make_app`) for the entry point and the tests, the screens as modes,
dispatches running in app-level workers so leaving a screen never stops a run, and a watcher that
brings runs written by other processes into view.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, cast

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.reactive import var
from textual.screen import ModalScreen, Screen
from textual.theme import ThemeProvider
from textual.worker import Worker, WorkerState

from core import config as configs
from core import escalation, followup, offload, paths
from core.audit.index import Index
from core.audit.store import RESULT_SUFFIX, Project
from core.config import Config
from core.engine import DispatchRequest, Engine
from core.envelope import Status
from core.errors import DispatchError
from tui.commands import DispatchCommands
from tui.live import LiveRun
from tui.messages import LiveRunEnded, RunsChanged
from tui.screens.audit import AuditScreen
from tui.screens.batch import BatchScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.editor import EditorScreen
from tui.screens.escalate import EscalateScreen, EscalationChoice
from tui.screens.run_detail import RunDetailScreen
from tui.screens.run_view import RunViewScreen
from tui.screens.settings import SettingsScreen
from tui.stylesheet import ParsedOnce
from tui.themes import load_themes

T = TypeVar("T")
Clock = Callable[[], float]
Now = Callable[[], datetime]


class DispatchApp(App[None]):
    """Screens are modes so each keeps its state while you move between them."""

    CSS_PATH = "app.tcss"
    MODES = {
        "dashboard": DashboardScreen,
        "editor": EditorScreen,
        "audit": AuditScreen,
        "settings": SettingsScreen,
        "batch": BatchScreen,
    }
    DEFAULT_MODE = "dashboard"
    """Starting in the dashboard's mode draws it as the first screen; switching to it from on_mount drew
    Textual's blank default screen first and cost ~90 ms of the first frame."""
    TITLE = "dispatch"
    COMMANDS = App.COMMANDS | {DispatchCommands}
    BINDINGS = [
        Binding("f2", "go('dashboard')", "Home", id="go.dashboard"),
        Binding("f3", "go('editor')", "Spec", id="go.editor"),
        Binding("f4", "go('audit')", "Audit", id="go.audit"),
        Binding("f5", "go('settings')", "Settings", id="go.settings"),
        Binding("f6", "go('batch')", "Batch", id="go.batch", show=False),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True, show=False),
    ]

    runs_version: var[int] = var(0)
    """Bumped whenever run files change; screens that list runs watch it and reload. A var, not a reactive: a
    reactive's change repaints the whole screen, and a run's end bumps it as the run view draws its last frame."""

    def __init__(
        self,
        config: Config,
        *,
        engine: Engine | None = None,
        clock: Clock = time.monotonic,
        now: Now | None = None,
        watch: bool = True,
        projects_dir: Path | None = None,
        cwd: Path | None = None,
    ) -> None:
        super().__init__()
        self.stylesheet = ParsedOnce(variables=self.get_css_variables())
        self.config = config
        self.engine = engine or Engine(config)
        self.clock = clock
        self.now: Now = now or (lambda: datetime.now(UTC))
        self.watch_files = watch
        self.projects_dir = projects_dir or paths.projects_dir()
        self.cwd = cwd or Path.cwd()
        self.live_runs: dict[int, LiveRun] = {}
        self._keys = itertools.count(1)
        self._dispatching: dict[int, asyncio.Task[Any]] = {}
        """Each live run's worker task, by its key: cancel_dispatch cancels it with a reason."""
        self._index: Any = None
        self._index_failed = False
        self.index_lock = threading.Lock()
        """Held around every use of the index: its one connection is shared by the loop and worker threads."""
        for theme in load_themes():
            self.register_theme(theme)
        wanted = [config.defaults.theme, "dispatch-dark", "textual-dark"]
        self.theme = next(name for name in wanted if name in self.available_themes)

    def on_mount(self) -> None:
        if self.watch_files:
            self.watch_projects()

    # --- the index -----------------------------------------------------------------------------

    def _open_index(self) -> tuple[Index | None, DispatchError | None]:
        if self._index is None and not self._index_failed:
            try:
                self._index = Index.open()
            except DispatchError as exc:
                self._index_failed = True
                return None, exc
        return self._index, None

    def _say_index_failed(self, exc: DispatchError) -> None:
        self.notify(exc.one_line(), title="the run index is unavailable", severity="error", timeout=10)

    async def in_thread(self, task: Callable[[Index | None], T]) -> T:
        """Run `task(index)` in a thread, never on the event loop: SQLite queries and file reads wait there
        while the screen keeps drawing. One at a time, since they share the index's connection."""

        def call() -> tuple[T, DispatchError | None]:
            with self.index_lock:
                index, failure = self._open_index()
                return task(index), failure

        result, failure = await offload.in_thread(call)
        if failure is not None:
            self._say_index_failed(failure)
        return result

    async def catch_up(self, slug: str | None = None) -> None:
        """Bring the index up to date with one project's files (runs another process wrote), or with every
        project when no slug is given (a person's Refresh: O(projects) stats)."""

        def sync(index: Index | None) -> str | None:
            if index is None:
                return None
            try:
                index.writer.sync_project(slug) if slug else index.writer.sync()
            except (DispatchError, sqlite3.Error, OSError) as exc:
                return str(exc)
            return None

        if (problem := await self.in_thread(sync)) is not None:
            self.notify(
                f"the index missed a change in {slug or 'the projects'} ({problem}); `dispatch reindex` repairs it",
                severity="warning",
            )

    # --- dispatching ---------------------------------------------------------------------------

    def start_dispatch(self, request: DispatchRequest, earlier: list[tuple[str, str]] | None = None) -> LiveRun:
        """Run a dispatch in its own worker and show it in the run view (with the session's earlier turns)."""
        request.cwd = request.cwd or self.cwd
        live = LiveRun(key=next(self._keys), request=request, started=self.clock(), earlier=earlier or [])
        self.live_runs[live.key] = live
        self._drive(live)
        self.push_screen(RunViewScreen(live))
        return live

    def _drive(self, live: LiveRun) -> Worker[None]:
        return self.run_worker(
            self._dispatch(live),
            name=f"dispatch-{live.key}",
            group=f"dispatch-{live.key}",
            exclusive=True,
            exit_on_error=False,
        )

    async def _dispatch(self, live: LiveRun) -> None:
        def at() -> float:
            return max(0.0, self.clock() - live.started)

        if (task := asyncio.current_task()) is not None:
            self._dispatching[live.key] = task
        try:
            async for event in self.engine.dispatch(live.request):
                live.apply(event, at())
        except DispatchError as exc:
            live.status, live.error = "failed", exc.one_line()
            live.say(f"not started: {exc.one_line()}", at())
            self.notify(exc.one_line(), title="dispatch not started", severity="error", timeout=10)
        except asyncio.CancelledError:
            live.status = "interrupted"
            live.say("cancelled; the record is marked interrupted", at())
            raise
        except Exception as exc:  # anything unforeseen: shown on the run, then reported by on_worker_state_changed
            live.status, live.error = "failed", f"{type(exc).__name__}: {exc}"
            live.say(f"failed: {live.error}", at())
            raise
        finally:
            self._dispatching.pop(live.key, None)
            live.ended = self.clock()
            self.post_message(LiveRunEnded(live.key))
            self.post_message(RunsChanged(live.slug))

    def cancel_dispatch(self, live: LiveRun) -> None:
        """Stop a run of this console: its worker's task is cancelled with the reason the record keeps
        (`cancelled`, core/envelope.py STOPS); Worker.cancel() would name none, and read as a signal."""
        if (task := self._dispatching.get(live.key)) is not None:
            task.cancel("cancelled")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that failed unexpectedly becomes a notification, never a traceback."""
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.notify(
                f"{event.worker.name} failed: {error}. Nothing recorded was lost; see the audit browser (F4) or retry.",
                title="something went wrong",
                severity="error",
                timeout=12,
            )

    # --- what comes after a run ----------------------------------------------------------------

    @work(group="followup", exit_on_error=False)
    async def resume(self, slug: str, run_id: str, prompt: str) -> None:
        """Continue the session the run belongs to, with a new turn. The record and the session's earlier
        runs are read in a thread: a long session is many files, and the screen keeps drawing meanwhile."""

        def prepare(index: Index | None) -> tuple[DispatchRequest, dict[str, Any]] | None:
            if index is None:
                return None
            project = Project.at(slug)
            record = project.read_run(run_id)
            return followup.resume(self.config, index, project, prompt, session=record.get("session_id")), record

        try:
            prepared = await self.in_thread(prepare)
        except (DispatchError, OSError, ValueError) as exc:
            self.notify(_say(exc), title="cannot resume", severity="error")
            return
        if prepared is None:
            return
        request, record = prepared
        parent = next((live for live in self.live_runs.values() if live.run_id == run_id), None)
        turns = (parent.earlier if parent else []) + [("answer", str(record.get("result") or "")), ("you", prompt)]
        self.start_dispatch(request, earlier=turns)

    @work(group="followup", exit_on_error=False)
    async def review(self, slug: str, run_id: str) -> None:
        """Have another model review the run's result against its spec (read-only, recorded with a verdict);
        the record and the project's files are read in a thread."""

        def prepare(index: Index | None) -> tuple[DispatchRequest, bool] | None:
            return None if index is None else followup.review(self.config, index, Project.at(slug), run_id=run_id)

        try:
            prepared = await self.in_thread(prepare)
        except DispatchError as exc:
            self.notify(exc.one_line(), title="cannot review", severity="error")
            return
        if prepared is None:
            return
        request, independent = prepared
        if not independent:
            self.notify(f"no other model is configured; {request.model} reviews its own result", severity="warning")
        self.start_dispatch(request)

    def escalate(self, slug: str, run_id: str, tier: str | None) -> None:
        """Ask where to (modal), then re-dispatch on the higher tier or record the hand-back."""

        def decided(choice: EscalationChoice | None) -> None:
            if choice is not None:
                self._escalate_to(slug, run_id, choice)

        self.push_screen(EscalateScreen(escalation.higher_tiers(self.config, tier), tier), decided)

    @work(group="followup", exit_on_error=False)
    async def _escalate_to(self, slug: str, run_id: str, choice: EscalationChoice) -> None:
        """Record the escalation (files written in a thread), then hand back or re-dispatch."""

        def record() -> DispatchRequest | None:
            if choice.to == escalation.PRIMARY:
                escalation.to_primary(slug, run_id, choice.reason)
                return None
            request = escalation.to_tier(self.config, slug, run_id, choice.to, choice.reason)
            escalation.record(slug, escalation.Escalation(run_id, choice.to, choice.reason or "escalated"))
            return request

        try:
            request = await offload.in_thread(record)
        except DispatchError as exc:
            self.notify(exc.one_line(), severity="error")
            return
        if request is None:
            self.notify(f"{slug}: handed back to the primary; it is in the inbox", title="escalated")
            self.post_message(RunsChanged(slug))
            return
        self.start_dispatch(request)

    def open_record(self, slug: str, run_id: str) -> None:
        self.push_screen(RunDetailScreen(slug, run_id))

    # --- live updates from disk ----------------------------------------------------------------

    @work(exclusive=True, group="watch-projects", name="watch-projects", exit_on_error=False)
    async def watch_projects(self) -> None:
        """Runs written by any process (an agent using --no-ui) reach the index and the screens."""
        from watchfiles import awatch

        self.projects_dir.mkdir(parents=True, exist_ok=True)
        async for changes in awatch(
            self.projects_dir, recursive=True, watch_filter=lambda _change, path: path.endswith(RESULT_SUFFIX)
        ):
            for slug in {Path(path).parent.parent.name for _change, path in changes}:
                await self.catch_up(slug)
                self.post_message(RunsChanged(slug))

    def on_runs_changed(self, message: RunsChanged) -> None:
        self.runs_version += 1

    def on_live_run_ended(self, message: LiveRunEnded) -> None:
        """A run that did not end ok always says so, with what to do; an ok one only when it is out of sight."""
        live = self.live_runs.get(message.key)
        if live is None or live.envelope is None:
            return  # never started: _dispatch has already said why
        if live.status != Status.OK:
            detail = "; ".join(part for part in (live.error, live.next_step) if part)
            self.notify(
                f"{live.label}: {live.status}" + (f" — {detail}" if detail else ""),
                title="dispatch ended",
                severity="error" if live.status in (Status.ERROR, Status.REJECTED) else "warning",
                timeout=15,
            )
        elif not isinstance(self.screen, RunViewScreen):
            self.notify(f"{live.label}: ok", title="dispatch finished")

    # --- settings ------------------------------------------------------------------------------

    def apply_config(self, config: Config) -> None:
        """Use a saved config from now on: new dispatches route by it."""
        self.config = config
        self.engine = Engine(config)
        if config.defaults.theme in self.available_themes:
            self.theme = config.defaults.theme

    def search_themes(self) -> None:
        """Textual's own theme picker (palette: Theme), whose choice is then kept in config.toml, as the
        Settings screen's is; Textual's alone forgets it when the console closes."""
        self.push_screen(CommandPalette(providers=[KeptThemes], placeholder="Search for themes…"))

    def choose_theme(self, name: str) -> None:
        self.theme = name
        self.keep_theme(name)

    @work(exclusive=True, group="keep-theme", exit_on_error=False)
    async def keep_theme(self, theme: str) -> None:
        path = self.config.path or paths.config_path()

        def write() -> Config:
            text = path.read_text(encoding="utf-8") if path.exists() else configs.fresh_text(self.config)
            return configs.save_text(configs.with_defaults(text, theme=theme), path)

        try:
            config = await offload.in_thread(write)
        except (DispatchError, OSError, UnicodeDecodeError) as exc:
            message = exc.one_line() if isinstance(exc, DispatchError) else str(exc)
            self.notify(f"theme {theme} is not kept for next time: {message}", severity="warning")
            return
        self.apply_config(config)
        self.notify(f"theme {theme} kept in {path}")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's own commands, less its Quit: ours (tui/commands.py) says what happens to running dispatches."""
        return (command for command in super().get_system_commands(screen) if command.title != "Quit")

    def action_go(self, mode: str) -> None:
        """Show that mode's own screen: a run view or record opened on top of it is closed, not left in the way
        (a running dispatch carries on in its worker and stays on the dashboard)."""
        self.switch_mode(mode)
        while len(self.screen_stack) > 1 and not isinstance(self.screen, ModalScreen):
            self.pop_screen()

    def action_new_spec(self) -> None:
        self.action_go("editor")

    def on_unmount(self) -> None:
        """Close the index once no thread is querying it: the console closed at once, during the dashboard's first
        load, closed the connection under the running query and the process crashed (a segmentation fault)."""
        with self.index_lock:
            if self._index is not None:
                self._index.close()


class KeptThemes(ThemeProvider):
    """Textual's theme list, each choice going through DispatchApp.choose_theme so it is saved."""

    @property
    def commands(self) -> list[tuple[str, Callable[[], None]]]:
        return [(name, partial(cast(DispatchApp, self.app).choose_theme, name)) for name, _set in super().commands]


def _say(exc: Exception) -> str:
    return exc.one_line() if isinstance(exc, DispatchError) else f"the run record could not be read ({exc})"


def make_app(config: Config, **options: Any) -> DispatchApp:
    """The one way to build the console; tests pass a frozen clock, watch=False and the like."""
    return DispatchApp(config, **options)


GC_THRESHOLDS = (10_000, 10, 10)
"""Python's default starts a collection every 700 new objects; drawing allocates far more than that per frame."""


def settle_heap() -> None:
    """Keep the garbage collector off what lives as long as the console, and collect less often.

    Measured in benchmarks/console_stream: collections took 0.13-0.19 s of the console's 0.4-0.6 s (174 young,
    16 middle and 1-2 full ones, each full one walking the ~120k objects of the imported modules and the
    app). Frozen at start-up, those are never walked again (they are still freed by reference counting) and
    with these thresholds the same stream made 8 young collections and no full one: ~0.05 s, and the console's
    time fell from 0.51 to 0.42 s (medians of three, A/B in one quiet window). Process-wide, so only the entry
    point calls it (and the benchmarks, for both sides they compare, undoing it after: benchmarks/_heap.py).
    """
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def run_console() -> int:
    """`dispatch` / `dispatch ui`: load the config, open the console, return an exit code."""
    from core.cli.output import error_line

    try:
        config = configs.load()
    except DispatchError as exc:
        error_line(f"dispatch: {exc.one_line()}")
        return int(exc.exit_code)
    app = make_app(config)
    settle_heap()
    app.run()
    return 0
