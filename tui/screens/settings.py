"""Settings: models and tiers (as TOML, checked by the same rules as config.toml), theme, default timeout
and permission; saved to config.toml with tomli-w. API keys are never asked for: models name the
environment variable that holds theirs.
"""

from __future__ import annotations

import tomli_w
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static, TextArea

from core import config as configs
from core import paths
from core.config import PERMISSIONS, Defaults
from core.errors import DispatchError


class SettingsScreen(Screen[None]):
    BINDINGS = [Binding("ctrl+s", "save", "Save", id="settings.save"),
                Binding("ctrl+z", "revert", "Revert", id="settings.revert", show=False)]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="settings-body"):
            with Vertical(id="settings-form"):
                yield Label("Theme")
                yield Select([(name, name) for name in sorted(self.app.available_themes)], id="theme",
                             allow_blank=False, value=self.app.theme)
                yield Label("Default timeout (seconds)")
                yield Input(id="timeout", type="number")
                yield Label("Default permission (agent backends)")
                yield Select([(p, p) for p in PERMISSIONS], id="permission", allow_blank=False)
                yield Static(id="config-path", classes="hint")
                with Horizontal(classes="buttons"):
                    yield Button("Save", variant="primary", id="save")
                    yield Button("Revert", id="revert")
            yield TextArea(id="tables", show_line_numbers=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#tables", TextArea).border_title = "Models and tiers (TOML; api_key_env names a variable)"
        self.action_revert()

    @on(Button.Pressed, "#revert")
    def action_revert(self) -> None:
        config = self.app.config
        self.query_one("#theme", Select).value = self.app.theme
        self.query_one("#timeout", Input).value = f"{config.defaults.timeout:g}"
        self.query_one("#permission", Select).value = config.defaults.permission
        data = configs.to_dict(config)
        tables = {key: data[key] for key in ("models", "tiers") if key in data}
        notes = "".join(f"# model '{name}' comes from the environment (DISPATCH_BASE_URL) and is not saved here\n"
                        for name in sorted(config.from_environment))
        self.query_one("#tables", TextArea).load_text(notes + tomli_w.dumps(tables))
        self.query_one("#config-path", Static).update(f"Saved to {config.path or paths.config_path()}")

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "theme" and isinstance(event.value, str):
            self.app.theme = event.value

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        path = self.app.config.path or paths.config_path()
        try:
            timeout = float(self.query_one("#timeout", Input).value)
            if timeout <= 0:
                raise ValueError
        except ValueError:
            self.notify("the timeout must be a positive number of seconds, e.g. 600", severity="error")
            return
        try:
            config = configs.parse_tables(self.query_one("#tables", TextArea).text, path)
            config.defaults = Defaults(timeout=timeout, permission=str(self.query_one("#permission", Select).value),
                                       theme=str(self.query_one("#theme", Select).value))
            configs.save(config, path)
            self.app.apply_config(configs.load(path))
        except DispatchError as exc:
            self.notify(f"not saved: {exc.one_line()}", severity="error", timeout=10)
            return
        except OSError as exc:
            self.notify(f"not saved: {exc}; check that {path.parent} is writable", severity="error")
            return
        self.notify(f"saved {path}")
