"""Run view: one dispatch as it happens — the answer (plain text while it streams, Markdown once done if it is
short), the engine's events as a log — and, once it ends, what to do next: resume, review, escalate, open the
record.

The worker only appends to the LiveRun; this screen reads it at frame rate, so a burst of tokens is one
repaint, not one per chunk.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.events import ScreenResume
from textual.widgets import Button, Collapsible, Input, Static

from tui import contract_actions
from tui.format import money, seconds, tokens
from tui.live import LiveRun
from tui.screens.base import DispatchScreen
from tui.widgets.changes_panel import ChangesPanel, changes_allow
from tui.widgets.event_log import EventLog, EventsBox
from tui.widgets.footer import Footer
from tui.widgets.header import Header
from tui.widgets.run_output import RunOutput

FRAME = 1 / 30
NARROW = 100
"""Below this many columns the buttons go by their short names (the long ones are their tooltips), so all six fit
beside the prompt at 80."""
SHORT = 30
"""Below this many rows the status lines scroll past five and the events panel drops its padding, so the answer keeps
some height at 80x24."""
PROMPT = ("what next? (enter resumes)", "what next? (enter)")
"""The prompt's hint, and the one that fits beside six buttons below NARROW."""
LABELS = {
    "open_record": ("Open record", "Record"),
    "contract_fix": ("Fix contract", "Fix"),
    "accept": ("Accept anyway", "Accept"),
}
"""Each button whose name is shortened below NARROW: (its name, its short name)."""
_STATUS_STYLE = {
    "ok": "bold green",
    "running": "bold cyan",
    "starting": "bold cyan",
    "rejected": "bold red",
    "error": "bold red",
    "failed": "bold red",
    "interrupted": "bold yellow",
    "timeout": "bold yellow",
}


class RunViewScreen(DispatchScreen):
    DEFAULT_CSS = """
    RunViewScreen #run-status { height: auto; padding: 0 1; background: $panel; }
    RunViewScreen #events-box { height: auto; max-height: 12; }
    RunViewScreen #events { height: 6; }
    RunViewScreen #run-status-box { height: auto; }
    RunViewScreen.-short #run-status-box { max-height: 5; }
    RunViewScreen.-short #events-box { padding-bottom: 0; }
    RunViewScreen.-short #events-box Contents { padding: 0 0 0 1; }
    RunViewScreen #after { height: 3; }
    RunViewScreen #after Input { width: 1fr; min-width: 20; }
    RunViewScreen #after Button { width: auto; min-width: 8; margin-right: 1; }
    RunViewScreen #earlier-box { height: auto; max-height: 10; }
    RunViewScreen #earlier { height: auto; max-height: 7; overflow-y: auto; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="run.back"),
        Binding("x", "cancel", "Cancel run", id="run.cancel"),
        Binding("r", "resume", "Resume", id="run.resume"),
        Binding("v", "review", "Review", id="run.review"),
        Binding("e", "escalate", "Escalate", id="run.escalate"),
        Binding("o", "open_record", "Record", id="run.record"),
        Binding("m", "merge", "Merge", id="run.merge"),
        Binding("d", "drop", "Drop", id="run.drop"),
        Binding("f", "contract_fix", "Fix contract", id="run.contract_fix"),
        Binding("a", "accept", "Accept anyway", id="run.accept"),
    ]

    def __init__(self, live: LiveRun) -> None:
        super().__init__()
        self.live = live
        self._shown_text = 0
        self._shown_log = 0
        self._finished_drawn = False
        self._status_shown = ""
        self._accepted = False
        self._resumed = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="run-status-box"):
            yield Static(id="run-status")
        if self.live.earlier:
            turns = len(self.live.earlier) // 2
            with Collapsible(title=f"Earlier in this session ({turns} turn(s))", id="earlier-box", collapsed=False):
                yield Static(self._conversation(), id="earlier")
        yield RunOutput(id="output")
        with EventsBox(title="Events (0)", id="events-box", collapsed=False):
            yield EventLog(id="events", max_lines=5000)
        with Horizontal(id="after"):
            yield Input(placeholder=PROMPT[0], id="prompt")
            yield Button("Resume", variant="primary", id="resume")
            yield Button("Review", id="review")
            yield Button("Escalate", variant="warning", id="escalate")
            yield Button("Open record", id="open_record")
            yield Button("Fix contract", variant="primary", id="contract_fix")
            yield Button("Accept anyway", id="accept")
        yield Footer()

    def on_resize(self) -> None:
        narrow = self.size.width < NARROW
        self.set_class(narrow, "-narrow")
        self.set_class(self.size.height < SHORT, "-short")
        for button_id, (label, short) in LABELS.items():
            button = self.query_one(f"#{button_id}", Button)
            button.label, button.tooltip = (short, label) if narrow else (label, None)
        prompt = self.query_one("#prompt", Input)
        prompt.placeholder, prompt.tooltip = (PROMPT[1], PROMPT[0]) if narrow else (PROMPT[0], None)

    def on_screen_resume(self, event: ScreenResume) -> None:
        """The first resume of a new run view keeps the styles its widgets were given as they mounted: Textual
        styles every widget of a resuming screen again (~20 ms here), on the way to the stream's first token.
        Runs before Screen's own handler, which reads the flag; later resumes refresh as usual."""
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    def on_mount(self) -> None:
        self.query_one("#output").border_title = "Output"
        self.query_one("#after").display = False
        self._timer = self.set_interval(FRAME, self.refresh_view)
        self._catch_up()  # what the run has said so far is in the first layout, not in a second one
        self.call_after_refresh(self.refresh_view)

    def _catch_up(self) -> None:
        """New text, new log lines, the status line."""
        live = self.live
        if len(live.text) > self._shown_text:
            chunk, self._shown_text = live.text[self._shown_text :], len(live.text)
            self.query_one(RunOutput).append(chunk)
        if len(live.log) > self._shown_log:
            self.query_one("#events", EventLog).say(live.log[self._shown_log :])
            self._shown_log = len(live.log)
            self.query_one("#events-box", EventsBox).title = f"Events ({self._shown_log})"
        self._show_status()

    async def refresh_view(self) -> None:
        """Bring the screen up to date with the LiveRun, and once it has ended, show what to do next."""
        live = self.live
        output = self.query_one(RunOutput)
        self._catch_up()
        if live.done and not self._finished_drawn:
            self._finished_drawn = True
            after = self.query_one("#after")
            after.display = bool(live.run_id)
            for button in ("#contract_fix", "#accept"):
                self.query_one(button).display = self._contract_failed()
            self.refresh_bindings()
            changes = live.envelope.extras.get("changes") if live.envelope is not None else None
            if live.run_id and live.slug and ChangesPanel.applies(changes):
                # mounted only for a run that has changes: the run view opens on the way to the first token
                await self.mount(panel := ChangesPanel(id="changes"), after="#output")
                panel.show_run(live.slug, live.run_id, changes)
            await output.finish()
            output.focus_text()
            self._timer.stop()  # last: when the timer called this, stopping it cancels this very call

    def _show_status(self) -> None:
        """Redraw the status line only when it reads differently, and lay the screen out again only when its
        number of lines changed: a relayout of this screen costs ~18 ms, and the clock ticks every frame."""
        line = self._status_line()
        if line.plain == self._status_shown:
            return
        status = self.query_one("#run-status", Static)
        width = max(1, status.content_size.width)

        def height(plain: str) -> int:
            return sum(max(1, -(-cell_len(part) // width)) for part in plain.split("\n"))

        relayout = not self._status_shown or height(line.plain) != height(self._status_shown)
        self._status_shown = line.plain
        status.update(line, layout=relayout)

    def _conversation(self) -> Text:
        text = Text()
        for who, said in self.live.earlier:
            text.append(f"{who}: ", style="bold")
            text.append(said.strip() + "\n")
        return text

    def _status_line(self) -> Text:
        live = self.live
        end = live.ended if live.ended is not None else self.app.clock()
        parts = Text.assemble(
            (f" {live.status.upper()} ", _STATUS_STYLE.get(live.status, "bold")),
            f"  {live.request.kind} ",
            (live.slug or "…", "bold"),
            f"   {live.model or '…'} ({live.backend or '…'}, tier {live.tier or '-'})",
            f"\n ⏱ {seconds(max(0.0, end - live.started))}",
            f"  tokens {self._tokens()}",
            f"  cost {money(live.cost_usd)}",
        )
        if live.run_id:
            parts.append(f"  run {live.run_id}", style="dim")
        if live.error:
            parts.append(f"\n {live.error}", style="red")
        for check in contract_actions.failed_checks(live.envelope.extras.get("contract") if live.envelope else None)[
            1:4
        ]:
            parts.append(f"\n   also {check.get('rule')} ({check.get('source')!r}): {check.get('detail')}", style="red")
        if self._accepted:
            parts.append("\n accepted anyway (recorded as the operator's call)", style="green")
        if live.next_step:
            parts.append(f"\n → {live.next_step}", style="italic")
        return parts

    def _tokens(self) -> str:
        """The server's counts once it sends them; while the answer streams, an estimate (~4 characters a
        token) so the counter moves with the text instead of reading 0 until the end."""
        live = self.live
        if live.output_tokens or live.done or not live.text:
            return f"{tokens(live.input_tokens)} in / {tokens(live.output_tokens)} out"
        estimate = (
            f"~{tokens(len(live.request.spec_text or '') // 4)}" if not live.input_tokens else tokens(live.input_tokens)
        )
        return f"{estimate} in / ~{tokens(len(live.text) // 4)} out (estimated while streaming)"

    def _finished_run(self) -> tuple[str, str] | None:
        """The (slug, run id) of the finished run, or None after telling the user why there is none yet."""
        if not self.live.done:
            self.notify("the run is still going; wait for it to end, or cancel it (x)", severity="warning")
            return None
        if not self.live.run_id or not self.live.slug:
            self.notify(
                "this dispatch never started, so there is no record; fix it in the editor (F3)", severity="warning"
            )
            return None
        return self.live.slug, self.live.run_id

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_cancel(self) -> None:
        if self.live.done:
            self.notify("the run has already ended")
            return
        self.app.cancel_dispatch(self.live)
        self.notify("cancelling; the record will say interrupted")

    @on(Button.Pressed, "#resume")
    def action_resume(self) -> None:
        if not (run := self._finished_run()):
            return
        prompt = self.query_one("#prompt", Input)
        if not prompt.value.strip():
            prompt.focus()
            self.notify("type what the model should do next, then press enter")
            return
        text, prompt.value = prompt.value, ""
        self.query_one(RunOutput).focus_text()
        self.app.resume(*run, text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_resume()

    @on(Button.Pressed, "#review")
    def action_review(self) -> None:
        if run := self._finished_run():
            self.app.review(*run)

    @on(Button.Pressed, "#escalate")
    def action_escalate(self) -> None:
        if run := self._finished_run():
            self.app.escalate(*run, self.live.tier)

    @on(Button.Pressed, "#open_record")
    def action_open_record(self) -> None:
        if run := self._finished_run():
            self.app.open_record(*run)

    def _contract_failed(self) -> bool:
        envelope = self.live.envelope
        return (
            envelope is not None
            and not self._accepted
            and contract_actions.violated(envelope.reason, envelope.extras.get("contract"))
        )

    @on(Button.Pressed, "#contract_fix")
    def action_contract_fix(self) -> None:
        if (run := self._finished_run()) and self.live.envelope is not None:
            self.query_one(RunOutput).focus_text()
            contract_actions.fix(self.app, *run, self.live.envelope.extras.get("contract"))

    @on(Button.Pressed, "#accept")
    def action_accept(self) -> None:
        if run := self._finished_run():
            contract_actions.accept(self.app, *run, then=self._accepted_anyway)

    def _accepted_anyway(self) -> None:
        self._accepted = True
        for button in ("#contract_fix", "#accept"):
            self.query_one(button).display = False
        self.refresh_bindings()
        self._show_status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """m and d only once the finished run's changes are shown and allow them (hidden from the footer before);
        f and a only for a finished run whose answer broke its contract and is not accepted yet; x only while the
        run goes on."""
        if action in ("contract_fix", "accept"):
            return self._contract_failed()
        if action == "cancel":
            return not self.live.done
        return changes_allow(self, action)

    def action_merge(self) -> None:
        self.query_one(ChangesPanel).merge()

    def action_drop(self) -> None:
        self.query_one(ChangesPanel).drop()
