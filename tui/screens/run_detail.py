"""One run's record, read from its files in a worker thread: the spec, the envelope, the result, and its
events as a list a person reads (number, time into the run, kind, summary), with any one event's JSON on demand."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Markdown, TabbedContent, TabPane, TextArea

from core.audit.store import Project
from core.cli.output import one_line
from core.contract import acceptance
from core.envelope import Envelope
from core.fsutil import read_json_lines
from tui import contract_actions
from tui.format import since_start
from tui.screens.base import DispatchScreen
from tui.screens.feedback import FeedbackScreen
from tui.widgets.changes_panel import ChangesPanel, changes_allow
from tui.widgets.fit_table import Col, FitTable
from tui.widgets.footer import Footer
from tui.widgets.header import Header
from tui.widgets.run_output import MARKDOWN_LIMIT

EVENTS_SHOWN = 5000
"""Rows in the events list at most (a long stream is mostly text deltas, folded together anyway)."""


@dataclass
class EventRow:
    kind: str
    summary: str
    raw: list[dict[str, Any]] = field(default_factory=list)
    """The event(s) behind the row: a run of text deltas is one row."""

    @property
    def elapsed(self) -> float | None:
        """Seconds into the run of the row's (first) event; None in records from before the engine kept it."""
        value = self.raw[0].get("elapsed_s") if self.raw else None
        return float(value) if isinstance(value, int | float) else None


def event_rows(events: list[dict[str, Any]]) -> list[EventRow]:
    """Events as a person reads them: consecutive text deltas fold into one row of text."""
    rows: list[EventRow] = []
    for event in events:
        kind = str(event.get("type", "?"))
        if kind == "TextDelta" and rows and rows[-1].kind == "text":
            rows[-1].raw.append(event)
            rows[-1].summary += str(event.get("text", ""))
            continue
        if kind == "TextDelta":
            rows.append(EventRow("text", str(event.get("text", "")), [event]))
            continue
        rest = {
            key: value
            for key, value in event.items()
            if key not in ("type", "elapsed_s") and value not in (None, "", [], {})
        }
        rows.append(EventRow(kind, json.dumps(rest, ensure_ascii=False, default=str), [event]))
    return rows[:EVENTS_SHOWN]


@dataclass
class Record:
    data: dict[str, Any]
    events: list[EventRow]
    skipped: int
    accepted: dict[str, Any] | None = None
    """The operator's acceptance of an answer that broke its Output contract (core/contract/acceptance.py)."""


def read_record(slug: str, run_id: str) -> Record:
    """The run's files (runs in a thread)."""
    project = Project.at(slug)
    try:
        data = project.read_run(run_id)
    except (OSError, ValueError) as exc:
        data = {"error": f"cannot read the record: {exc}"}
    events, skipped = read_json_lines(project.events_path(run_id))
    return Record(data, event_rows(events), skipped, acceptance.accepted(project).get(run_id))


class RunDetailScreen(DispatchScreen):
    DEFAULT_CSS = """
    RunDetailScreen #detail-events { height: 1fr; }
    RunDetailScreen #detail-event-json { height: 10; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="detail.back"),
        Binding("e", "escalate", "Escalate", id="detail.escalate"),
        Binding("v", "review", "Review", id="detail.review"),
        Binding("r", "resume", "Resume", id="detail.resume"),
        Binding("m", "merge", "Merge", id="detail.merge"),
        Binding("d", "drop", "Drop", id="detail.drop"),
        Binding("f", "contract_fix", "Fix contract", id="detail.contract_fix"),
        Binding("a", "accept", "Accept anyway", id="detail.accept"),
    ]

    def __init__(self, slug: str, run_id: str, tab: str | None = None) -> None:
        super().__init__()
        self.slug = slug
        self.run_id = run_id
        self.record: dict = {}
        self.accepted: dict[str, Any] | None = None
        self.events: list[EventRow] = []
        self.tab = tab
        """The tab to open on (the inbox opens "changes to review" on tab-changes)."""

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="detail-tabs"):
            with TabPane("Spec", id="tab-spec"):
                yield TextArea(read_only=True, id="detail-spec")
            with TabPane("Envelope", id="tab-envelope"):
                yield TextArea(read_only=True, id="detail-envelope")
            with TabPane("Result", id="tab-result"):
                yield Markdown(id="detail-result")
                yield TextArea(read_only=True, id="detail-result-plain")
            with TabPane("Events", id="tab-events"):
                yield FitTable(
                    Col("#", 4),
                    Col("Time", 8),
                    Col("Kind", 14),
                    Col("Summary", 20, 1),
                    id="detail-events",
                    cursor_type="row",
                )
                yield TextArea(read_only=True, id="detail-event-json")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"{self.slug} · {self.run_id}"
        self.query_one("#detail-result-plain").display = False
        self.query_one("#detail-event-json").border_title = "the highlighted event's JSON"
        self.load()

    @work(exclusive=True, group="load-detail", exit_on_error=False)
    async def load(self) -> None:
        record = await self.app.in_thread(lambda _index: read_record(self.slug, self.run_id))
        await self.show(record)

    async def show(self, record: Record) -> None:
        self.record, self.events, self.accepted = record.data, record.events, record.accepted
        self.refresh_bindings()
        data = record.data
        envelope = (
            {k: v for k, v in Envelope.from_dict(data).to_dict().items() if k != "result"} if "run_id" in data else data
        )
        self.sub_title = f"{self.slug} · {self.run_id} · {data.get('status', '?')}" + self._contract_note()
        self.query_one("#detail-spec", TextArea).load_text(data.get("spec") or "(no spec recorded)")
        self.query_one("#detail-envelope", TextArea).load_text(
            json.dumps(envelope, indent=2, ensure_ascii=False, default=str)
        )
        result = str(data.get("result") or "")
        if len(result) > MARKDOWN_LIMIT:  # Markdown is slow at this size; see widgets/run_output.py
            self.query_one("#detail-result").display = False
            plain = self.query_one("#detail-result-plain", TextArea)
            plain.display = True
            plain.load_text(result)
        else:
            await self.query_one("#detail-result", Markdown).update(result or "*(no result)*")
        table = self.query_one("#detail-events", DataTable)
        table.clear()
        for number, row in enumerate(self.events, 1):
            table.add_row(
                str(number),
                since_start(row.elapsed),
                Text(row.kind, style="bold"),
                one_line(row.summary, 300),
                key=str(number - 1),
            )
        if record.skipped:
            table.add_row("-", "-", "skipped", f"{record.skipped} unreadable line(s): a torn tail after a crash")
        tabs = self.query_one(TabbedContent)
        tabs.get_tab("tab-events").label = f"Events ({len(self.events)})"
        self.show_event(0)
        if data.get("changes"):  # the run worked in a git worktree: its diff, to merge or drop
            await tabs.add_pane(TabPane("Changes", ChangesPanel(id="detail-changes"), id="tab-changes"))
            self.query_one(ChangesPanel).show_run(self.slug, self.run_id, data["changes"])
            if self.tab:
                tabs.active = self.tab

    def show_event(self, number: int) -> None:
        area = self.query_one("#detail-event-json", TextArea)
        if not self.events:
            area.load_text("(no events recorded)")
            return
        row = self.events[min(number, len(self.events) - 1)]
        shown = row.raw if len(row.raw) > 1 else row.raw[0]
        area.load_text(json.dumps(shown, indent=2, ensure_ascii=False, default=str)[:20_000])

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value and event.row_key.value.isdigit():
            self.show_event(int(event.row_key.value))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_escalate(self) -> None:
        self.app.escalate(self.slug, self.run_id, self.record.get("tier"))

    def action_review(self) -> None:
        self.app.review(self.slug, self.run_id)

    def action_resume(self) -> None:
        """Resume the run's session with feedback typed in a modal (an agent continues in its worktree)."""

        def send(text: str | None) -> None:
            if text:
                self.app.resume(self.slug, self.run_id, text)

        self.app.push_screen(FeedbackScreen(f"{self.slug} {self.run_id}"), send)

    def _contract_failed(self) -> bool:
        return self.accepted is None and contract_actions.violated(
            self.record.get("reason"), self.record.get("contract")
        )

    def _contract_note(self) -> str:
        if self.accepted is not None:
            return " · contract failed, accepted by the operator"
        return f" · {contract_actions.HINT}" if self._contract_failed() else ""

    def action_contract_fix(self) -> None:
        contract_actions.fix(self.app, self.slug, self.run_id, self.record.get("contract"))

    def action_accept(self) -> None:
        contract_actions.accept(self.app, self.slug, self.run_id, then=self._accepted_anyway)

    def _accepted_anyway(self) -> None:
        self.accepted = {"by": "operator"}
        self.sub_title = f"{self.slug} · {self.run_id} · {self.record.get('status', '?')}" + self._contract_note()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """m and d only for a run with changes that allow them; r once the record has loaded a run; f and a for a
        run whose answer broke its Output contract and is not accepted yet."""
        if action == "resume":
            return "run_id" in self.record
        if action in ("contract_fix", "accept"):
            return self._contract_failed()
        return changes_allow(self, action)

    def action_merge(self) -> None:
        self.query_one(ChangesPanel).merge()

    def action_drop(self) -> None:
        self.query_one(ChangesPanel).drop()
