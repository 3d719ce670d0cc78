"""Escalate (modal): re-dispatch on a higher tier, or hand the work back to the primary with a reason."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from core.escalation import PRIMARY


@dataclass(frozen=True)
class EscalationChoice:
    to: str
    """A tier name, or core.escalation.PRIMARY."""
    reason: str


class EscalateScreen(ModalScreen[EscalationChoice | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="escalate.cancel")]

    def __init__(self, higher: list[str], current: str | None) -> None:
        super().__init__()
        self.higher = higher
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Escalate a run on tier {self.current or '-'}", classes="title")
            with RadioSet(id="targets"):
                for index, tier in enumerate(self.higher):
                    yield RadioButton(
                        self._label(f"re-dispatch the same spec on tier {tier}", index == 0),
                        value=index == 0,
                        name=tier,
                    )
                yield RadioButton(
                    self._label("hand it back to the primary (nothing is dispatched)", not self.higher),
                    value=not self.higher,
                    name=PRIMARY,
                )
            if not self.higher:
                yield Static("No tier is above this one; only the primary can take it further.", classes="hint")
            yield Input(
                placeholder="reason: what to decide or do (needed for the primary)", id="reason", select_on_focus=False
            )
            with Horizontal(classes="buttons"):
                yield Button("Escalate", variant="warning", id="go")
                yield Button("Cancel", id="cancel")

    @staticmethod
    def _label(text: str, chosen: bool) -> str:
        """The choice shows by more than colour: the chosen line is marked and says so."""
        return f"→ {text}  (chosen)" if chosen else f"  {text}"

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        for button in event.radio_set.query(RadioButton):
            text = str(button.label).removeprefix("→ ").removeprefix("  ").removesuffix("  (chosen)")
            button.label = self._label(text, button is event.pressed)

    def on_key(self, event: events.Key) -> None:
        """Typing while the choices have focus goes to the reason instead of being lost."""
        reason = self.query_one("#reason", Input)
        if (
            event.is_printable
            and event.character
            and event.character != " "
            and not reason.has_focus
            and isinstance(self.focused, (RadioSet, RadioButton))
        ):
            reason.focus()
            reason.insert_text_at_cursor(event.character)
            event.stop()

    def _target(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else PRIMARY

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
            return
        self._submit()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._submit()

    def _submit(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        target = self._target()
        if target == PRIMARY and not reason:
            self.notify("say why it goes back to the primary (what must be decided or done)", severity="warning")
            self.query_one("#reason", Input).focus()
            return
        self.dismiss(EscalationChoice(target, reason))
