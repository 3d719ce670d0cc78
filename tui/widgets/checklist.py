"""The spec checklist beside the editor: one option per finding, the phrase it quotes highlighted; choosing one
jumps to its line."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from core.spec import Finding, Severity


class Checklist(OptionList):
    DEFAULT_CSS = """
    Checklist { height: 1fr; border: round $panel; }
    Checklist:focus { border: round $primary; }
    """

    @dataclass
    class JumpTo(Message):
        line: int

    def show(self, findings: list[Finding]) -> None:
        self.clear_options()
        errors = sum(f.severity == Severity.ERROR for f in findings)
        self.border_title = "Checklist" if findings else "Checklist: clean"
        # The counts sit on the lower border: beside the name they were cut at 80 columns.
        warnings = len(findings) - errors
        self.border_subtitle = (
            f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}" if findings else ""
        )
        if not findings:
            self.add_option(Option(Text("✓ ready to dispatch", style="bold"), disabled=True))
            return
        for index, finding in enumerate(findings):
            style = "bold red" if finding.severity == Severity.ERROR else "bold yellow"
            label = Text.assemble(
                (f"{finding.severity.upper():8}", style),
                (f"line {finding.line:<4} ", "dim"),
                message(finding),
                "\n",
                ("  → " + finding.fix, "italic dim"),
            )
            self.add_option(Option(label, id=f"finding-{index}-{finding.line}"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.JumpTo(int(event.option.id.rsplit("-", 1)[1])))


QUOTE_STYLE = "bold reverse"


def message(finding: Finding) -> Text:
    """The finding's message with the phrase it quotes from the spec highlighted, so the eye finds it in the editor."""
    text = Text(finding.message)
    if finding.quote and (start := finding.message.find(finding.quote)) >= 0:
        text.stylize(QUOTE_STYLE, start, start + len(finding.quote))
    return text
