"""Tier picker: task type, then tier, then model, with what each is for and what it costs.

Refused task types stay visible and say why, so the reason a spec cannot go out is never a mystery.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList, Static
from textual.widgets.option_list import Option

from core import tiers as routing
from core.config import Config


@dataclass(frozen=True)
class TierChoice:
    task_type: str
    tier: str | None
    model: str | None = None
    """None: let the tier's fallback order decide."""

    def describe(self) -> str:
        return f"{self.task_type} → {self.tier or '-'} → {self.model or 'tier order'}"


class TierPickerScreen(ModalScreen[TierChoice | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="tier.cancel"),
        Binding("ctrl+s", "choose", "Choose", id="tier.choose"),
    ]

    def __init__(self, config: Config, current: TierChoice | None = None) -> None:
        super().__init__()
        self.config = config
        self.tiers = routing.effective_tiers(config)
        self.current = current or TierChoice(routing.DEFAULT_TASK_TYPE, None)
        self.task_type = self.current.task_type
        self.tier: str | None = self.current.tier
        self.model: str | None = self.current.model

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label("Route this spec: task type → tier → model", classes="title")
            with Horizontal(id="columns"):
                yield OptionList(*self._task_type_options(), id="task-types")
                yield OptionList(id="tiers")
                yield OptionList(id="models")
            yield Static(id="detail")
            with Horizontal(classes="buttons"):
                yield Button("Choose", variant="primary", id="choose")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#task-types", OptionList).border_title = "Task type"
        self.query_one("#tiers", OptionList).border_title = "Tier"
        self.query_one("#models", OptionList).border_title = "Model"
        task_types = self.query_one("#task-types", OptionList)
        task_types.highlighted = list(routing.TASK_TYPES).index(self.task_type)
        self._fill_tiers()

    def _task_type_options(self) -> list[Option]:
        options = []
        for kind in routing.TASK_TYPES.values():
            label = Text.assemble((kind.name, "bold"), "\n", (kind.description, "dim"))
            if kind.tier is None:
                label.append(f"\nrefused: {kind.refusal}", style="italic red")
            options.append(Option(label, id=kind.name))
        return options

    def _fill_tiers(self) -> None:
        tiers = self.query_one("#tiers", OptionList)
        tiers.clear_options()
        refusal = routing.refusal(self.task_type)
        if refusal:
            self.tier = self.model = None
            tiers.add_option(Option(Text("no tier: this task type is never dispatched", style="italic"), disabled=True))
            self._fill_models()
            return
        serving = [name for name, tier in self.tiers.items() if self.task_type in tier.task_types]
        if self.tier not in self.tiers:
            self.tier = serving[0] if serving else next(iter(self.tiers), None)
        for name, tier in self.tiers.items():
            mark = "★ " if name in serving else "  "
            label = Text.assemble((mark + name, "bold"))
            if tier.description:
                label.append_text(Text.assemble("\n  ", (tier.description, "dim")))
            tiers.add_option(Option(label, id=name))
        if self.tier:
            tiers.highlighted = list(self.tiers).index(self.tier)
        self._fill_models()

    def _fill_models(self) -> None:
        models = self.query_one("#models", OptionList)
        models.clear_options()
        tier = self.tiers.get(self.tier or "")
        if tier is None:
            self.model = None
        else:
            if self.model not in tier.models:
                self.model = None
            models.add_option(Option(Text("tier order (fall back in turn)", style="italic"), id="@order"))
            for name in tier.models:
                model = self.config.models.get(name)
                if model is None:
                    models.add_option(Option(Text(f"{name}: not configured", style="red"), id=name, disabled=True))
                    continue
                price = (
                    f"${model.price_in:g} in / ${model.price_out:g} out per Mtok"
                    if model.price_in or model.price_out
                    else "free (local or unpriced)"
                )
                models.add_option(
                    Option(
                        Text.assemble(
                            (name, "bold"), f"  {model.backend}\n  ", (f"{model.provider_model} · {price}", "dim")
                        ),
                        id=name,
                    )
                )
            models.highlighted = 0 if self.model is None else tier.models.index(self.model) + 1
        self._describe()

    def _describe(self) -> None:
        refusal = routing.refusal(self.task_type)
        if refusal:
            text = Text(
                f"✗ {refusal}. Do this work yourself, or pick another task type if this one was wrong.",
                style="bold red",
            )
        elif self.tier is None:
            text = Text(
                "No tier is configured. Add models and tiers in Settings (F5), or set DISPATCH_BASE_URL.",
                style="bold yellow",
            )
        else:
            tier = self.tiers[self.tier]
            text = Text.assemble(
                ("Tier ", "dim"),
                (self.tier, "bold"),
                (f": {tier.description}\n" if tier.description else "\n", ""),
                ("Fallback order: ", "dim"),
                " → ".join(tier.models),
                ("\nChoice: ", "dim"),
                (choice.describe() if (choice := self._choice()) else "-", "bold"),
            )
        self.query_one("#detail", Static).update(text)
        self.query_one("#choose", Button).disabled = self._choice() is None

    def _choice(self) -> TierChoice | None:
        if routing.refusal(self.task_type) or self.tier is None:
            return None
        return TierChoice(self.task_type, self.tier, self.model)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        option_id = event.option.id
        if option_id is None:
            return
        if event.option_list.id == "task-types" and option_id != self.task_type:
            self.task_type = option_id
            self._fill_tiers()
        elif event.option_list.id == "tiers" and option_id != self.tier:
            self.tier = option_id
            self._fill_models()
        elif event.option_list.id == "models":
            self.model = None if option_id == "@order" else option_id
            self._describe()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a task type moves on to its tiers; Enter on a tier or a model chooses."""
        if event.option_list.id == "task-types":
            self.query_one("#tiers", OptionList).focus()
        else:
            self.action_choose()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "choose":
            self.action_choose()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        """Leave without choosing, and say so: the route stays what it was."""
        self.notify(f"route unchanged: {self.current.describe() if self.current.tier else 'from the spec'}")
        self.dismiss(None)

    def action_choose(self) -> None:
        if (choice := self._choice()) is not None:
            self.dismiss(choice)
        else:
            self.notify("nothing to choose: this task type is never dispatched", severity="warning")
