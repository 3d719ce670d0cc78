"""Settings: the config file itself, as you would edit it, beside a form for theme, default timeout and
permission. The form edits the file's [defaults] in place and Save writes the text as shown, so the user's
comments and layout survive; it is checked by the same rules as `load` before anything is written. API keys
are never asked for: models name the environment variable that holds theirs.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from core import config as configs
from core import offload, paths
from core.config import PERMISSIONS
from core.errors import DispatchError
from tui.screens.base import DispatchScreen
from tui.widgets.footer import Footer
from tui.widgets.header import Header


class SettingsScreen(DispatchScreen):
    DEFAULT_CSS = """
    SettingsScreen #settings-form { width: 44; padding: 0 1; }
    SettingsScreen #tables { width: 1fr; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="settings.save"),
        Binding("ctrl+z", "revert", "Revert", id="settings.revert", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.saved_text = ""
        """The file's text as it is on disk (or would be written fresh): what "unsaved changes" compares with."""
        self.exists = False
        self.just_saved = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="settings-body"):
            with Vertical(id="settings-form"):
                yield Label("Theme")
                yield Select(
                    [(name, name) for name in sorted(self.app.available_themes)],
                    id="theme",
                    allow_blank=False,
                    value=self.app.theme,
                )
                yield Label("Default timeout (seconds)")
                yield Input(id="timeout", type="number")
                yield Label("Default permission (agent backends)")
                yield Select([(p, p) for p in PERMISSIONS], id="permission", allow_blank=False)
                yield Static(id="config-path", classes="hint")
                yield Static(id="environment", classes="hint")
                with Horizontal(classes="buttons"):
                    yield Button("Save", variant="primary", id="save")
                    yield Button("Revert", id="revert")
            yield TextArea(id="tables", show_line_numbers=True, language=None)
        yield Footer()

    @property
    def path(self) -> Path:
        return self.app.config.path or paths.config_path()

    def on_mount(self) -> None:
        self.action_revert()

    @on(Button.Pressed, "#revert")
    def _revert_pressed(self) -> None:
        self.action_revert()

    @work(exclusive=True, group="load-settings", exit_on_error=False)
    async def action_revert(self) -> None:
        """Back to what the file says (or, with no file yet, what a first save would write); read in a thread."""
        config = self.app.config
        path = self.path

        def read() -> tuple[str, bool, str | None]:
            try:
                return path.read_text(encoding="utf-8"), True, None
            except FileNotFoundError:
                return configs.fresh_text(config), False, None
            except (OSError, UnicodeDecodeError) as exc:
                return "", False, str(exc)

        self.saved_text, self.exists, problem = await offload.in_thread(read)
        if problem is not None:
            self.notify(f"cannot read {path}: {problem}; fix or move the file", severity="error")
        self.just_saved = False
        self.query_one("#theme", Select).value = self.app.theme
        self.query_one("#timeout", Input).value = f"{config.defaults.timeout:g}"
        self.query_one("#permission", Select).value = config.defaults.permission
        self.query_one("#tables", TextArea).load_text(self.saved_text)
        environment = sorted(config.from_environment)
        self.query_one("#environment", Static).update(
            f"From the environment, not saved here: {', '.join(environment)} (DISPATCH_BASE_URL)" if environment else ""
        )
        self._say()

    def _say(self) -> None:
        area = self.query_one("#tables", TextArea)
        area.border_title = f"{self.path.name} (TOML)"
        area.border_subtitle = "api_key_env names a variable"  # one title with both was cut at 80 columns
        if area.text != self.saved_text:
            state = Text("unsaved changes (ctrl+s saves)", style="bold")
        elif self.just_saved:
            state = Text("saved", style="bold")
        elif self.exists:
            state = Text("as on disk")
        else:
            state = Text("no file yet: Save creates it")
        self.query_one("#config-path", Static).update(Text.assemble(f"{self.path}\n", state))

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._say()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "theme" and isinstance(event.value, str):
            self.app.theme = event.value
        self._form_changed()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._form_changed()

    def _form(self) -> dict[str, object] | None:
        try:
            timeout = float(self.query_one("#timeout", Input).value)
        except ValueError:
            return None
        if timeout <= 0:
            return None
        return {
            "timeout": timeout,
            "permission": str(self.query_one("#permission", Select).value),
            "theme": str(self.query_one("#theme", Select).value),
        }

    def _form_changed(self) -> None:
        """The form writes into the file's text as you go, so what Save writes is what you see."""
        if (values := self._form()) is None:
            return
        area = self.query_one("#tables", TextArea)
        try:
            text = configs.with_defaults(area.text, **values)
        except DispatchError:
            return  # the text is not valid TOML right now; Save says so
        if text != area.text:
            area.load_text(text)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @work(exclusive=True, group="settings-save", exit_on_error=False)
    async def action_save(self) -> None:
        """Check the text, then write the file in a thread (an atomic write, fsynced)."""
        path = self.path
        values = self._form()
        if values is None:
            self.notify("the timeout must be a positive number of seconds, e.g. 600", severity="error")
            return
        area = self.query_one("#tables", TextArea)
        try:
            text = configs.with_defaults(area.text, **values)
            config = await offload.in_thread(lambda: configs.save_text(text, path))
        except DispatchError as exc:
            self.notify(f"not saved: {exc.one_line()}", severity="error", timeout=10)
            return
        except OSError as exc:
            self.notify(f"not saved: {exc}; check that {path.parent} is writable", severity="error")
            return
        self.saved_text, self.exists, self.just_saved = text, True, True
        if text != area.text:
            area.load_text(text)
        self.app.apply_config(config)
        self._say()
        self.notify(f"saved {path}")
