"""Resume with feedback (modal): what the model should do next, for instance "the test for empty input fails"."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label


class FeedbackScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="feedback.cancel")]

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Resume {self.what} with feedback", classes="title")
            yield Input(placeholder="what to fix or do next, e.g. the test for empty input fails", id="feedback")
            with Horizontal(classes="buttons"):
                yield Button("Resume", variant="primary", id="go")
                yield Button("Cancel", id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
        else:
            self._submit()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._submit()

    def _submit(self) -> None:
        text = self.query_one("#feedback", Input).value.strip()
        if not text:
            self.notify("say what the model should do next", severity="warning")
            return
        self.dismiss(text)
