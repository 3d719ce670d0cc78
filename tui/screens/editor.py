"""Spec editor: write the spec with the checklist live beside it, route it, and dispatch it.

The checklist is the engine's own check (`Engine.check`, the rules of `dispatch lint`), so what the editor
accepts is exactly what a dispatch accepts. Dispatch stays disabled while errors stand; Force asks first and
the engine records that the spec went out with errors.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static, TextArea

from core import offload
from core import spec as specs
from core import tiers as routing
from core.engine import DispatchRequest
from core.fsutil import TooLarge, atomic_write_text, read_text_capped
from tui.screens.base import DispatchScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.tier_picker import TierChoice, TierPickerScreen
from tui.widgets.checklist import Checklist
from tui.widgets.footer import Footer
from tui.widgets.header import Header


class EditorScreen(DispatchScreen):
    DEFAULT_CSS = """
    EditorScreen #file-bar { height: 3; }
    EditorScreen #file-bar Input { width: 1fr; }
    EditorScreen #editor-body { height: 1fr; }
    EditorScreen #spec { width: 3fr; }
    EditorScreen #side { width: 2fr; }
    /* The three buttons share the side panel's width, so Force shows at 80 columns too. */
    EditorScreen #side .buttons Button { width: 1fr; min-width: 7; }
    EditorScreen #route { height: auto; min-height: 3; padding: 0 1; }
    """
    BINDINGS = [
        Binding("ctrl+o", "open", "Open", id="editor.open"),
        Binding("ctrl+s", "save", "Save", id="editor.save"),
        Binding("ctrl+t", "pick_tier", "Tier", id="editor.tier"),
        Binding("ctrl+r", "dispatch", "Dispatch", id="editor.dispatch"),
        Binding("ctrl+f", "force", "Force", id="editor.force"),
        Binding("ctrl+n", "next_finding", "Next", id="editor.next-finding"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.findings: list[specs.Finding] = []
        self.choice: TierChoice | None = None
        self._next = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="file-bar"):
            yield Input(placeholder="spec file, e.g. task.md (relative to cwd)", id="path")
            yield Button("Open", id="open")
            yield Button("Save", id="save")
        with Horizontal(id="editor-body"):
            yield TextArea(specs.template(), id="spec", soft_wrap=True, show_line_numbers=True, tab_behavior="indent")
            with Vertical(id="side"):
                yield Checklist(id="checklist")
                yield Static(id="route")
                with Horizontal(classes="buttons"):
                    yield Button("Tier…", id="tier")
                    yield Button("Dispatch", variant="primary", id="dispatch")
                    yield Button("Force", variant="warning", id="force")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#spec", TextArea).border_title = "Spec"
        self.query_one("#route", Static).border_title = "Route"
        self.relint()
        self.query_one("#spec", TextArea).focus()

    @property
    def text(self) -> str:
        return self.query_one("#spec", TextArea).text

    def relint(self) -> None:
        self.findings = self.app.engine.check(DispatchRequest(spec_text=self.text, cwd=self.app.cwd))
        self.query_one(Checklist).show(self.findings)
        errors = specs.has_errors(self.findings)
        self.query_one("#dispatch", Button).disabled = errors
        self.query_one("#force", Button).disabled = not errors
        self._show_route()

    def _show_route(self) -> None:
        """The route, and truthfully where each part of it comes from."""
        if self.choice:
            route = f"chosen in the tier picker: {self.choice.describe()}"
        else:
            parsed = specs.parse(self.text)
            task_type = (
                f"task type {parsed.task_type} (from the spec)"
                if parsed.task_type
                else f"task type {routing.DEFAULT_TASK_TYPE} (the default: the spec names none)"
            )
            tier = f"tier {parsed.tier} (from the spec)" if parsed.tier else "the tier that serves it"
            route = f"{task_type} → {tier}; Tier… (ctrl+t) to choose"
        self.query_one("#route", Static).update(route)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.relint()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the path field opens that file, the way a person expects a path box to work."""
        if event.input.id == "path":
            self.action_open()

    def on_checklist_jump_to(self, event: Checklist.JumpTo) -> None:
        self.jump_to(event.line)

    def jump_to(self, line: int) -> None:
        area = self.query_one("#spec", TextArea)
        row = max(0, min(line - 1, area.document.line_count - 1))
        area.move_cursor((row, 0), center=True)
        area.focus()

    def action_next_finding(self) -> None:
        if not self.findings:
            self.notify("the checklist is clean")
            return
        self._next %= len(self.findings)
        self.jump_to(self.findings[self._next].line)
        self.query_one(Checklist).highlighted = self._next
        self._next += 1

    def _path(self) -> Path | None:
        value = self.query_one("#path", Input).value.strip()
        if not value:
            self.notify("type a file path in the field at the top first", severity="warning")
            self.query_one("#path", Input).focus()
            return None
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.app.cwd / path

    @work(exclusive=True, group="spec-file", exit_on_error=False)
    async def action_open(self) -> None:
        """Read the file in a thread (a spec on a slow or network disk never stalls the screen), then show it."""
        if (path := self._path()) is None:
            return
        try:
            text = await offload.in_thread(lambda: read_text_capped(path, specs.SPEC_READ_BYTES))
        except FileNotFoundError:
            self.notify(f"{path} does not exist; check the path, or Save to create it", severity="error")
            return
        except (OSError, UnicodeDecodeError, TooLarge) as exc:
            why = f"it is over {specs.SPEC_READ_BYTES // 2**20} MB" if isinstance(exc, TooLarge) else exc
            self.notify(f"cannot read {path}: {why}; pick a UTF-8 Markdown file", severity="error")
            return
        if len(text) > specs.MAX_SPEC_CHARS:
            self.notify(
                f"{path} has {len(text):,} characters, over the {specs.MAX_SPEC_CHARS:,} a spec may hold; "
                "cut it down to the task and name large inputs under Inputs",
                severity="error",
            )
            return
        self.query_one("#spec", TextArea).load_text(text)
        self.relint()
        self.notify(f"opened {path}")

    @work(exclusive=True, group="spec-file", exit_on_error=False)
    async def action_save(self) -> None:
        """Write the file in a thread: the atomic write fsyncs the file and its directory."""
        if (path := self._path()) is None:
            return
        text = self.text
        try:
            await offload.in_thread(lambda: atomic_write_text(path, text))
        except OSError as exc:
            self.notify(f"cannot save {path}: {exc.strerror}; pick a writable directory", severity="error")
            return
        self.notify(f"saved {path}")

    def action_pick_tier(self) -> None:
        parsed = specs.parse(self.text)
        current = self.choice or TierChoice(parsed.task_type or routing.DEFAULT_TASK_TYPE, parsed.tier)

        def chosen(choice: TierChoice | None) -> None:
            if choice is not None:
                self.choice = choice
                self._show_route()

        self.app.push_screen(TierPickerScreen(self.app.config, current), chosen)

    def _request(self, force: bool) -> DispatchRequest:
        choice = self.choice
        return DispatchRequest(
            spec_text=self.text,
            force=force,
            cwd=self.app.cwd,
            task_type=choice.task_type if choice else None,
            tier=choice.tier if choice and not choice.model else None,
            model=choice.model if choice else None,
        )

    def action_dispatch(self) -> None:
        if specs.has_errors(self.findings):
            self.notify("fix the checklist errors first (ctrl+n jumps to each), or Force (ctrl+f)", severity="warning")
            return
        self.app.start_dispatch(self._request(force=False))

    def action_force(self) -> None:
        if not specs.has_errors(self.findings):
            self.notify("nothing to force: the checklist is clean; Dispatch (ctrl+r) sends it", severity="warning")
            return
        errors = sum(f.severity == specs.Severity.ERROR for f in self.findings)

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.start_dispatch(self._request(force=True))

        self.app.push_screen(
            ConfirmScreen(
                f"The spec has {errors} checklist error(s). Dispatch anyway?\nThe run record will say it was forced.",
                yes="Force dispatch",
            ),
            answered,
        )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions: dict[str, Callable[[], object]] = {
            "open": self.action_open,
            "save": self.action_save,
            "tier": self.action_pick_tier,
            "dispatch": self.action_dispatch,
            "force": self.action_force,
        }
        actions[event.button.id or ""]()
