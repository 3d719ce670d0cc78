"""One run's record, read from its files: the spec, the envelope, the result, and every event."""

from __future__ import annotations

import json

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Log, Markdown, TabbedContent, TabPane, TextArea

from core.audit.store import Project
from core.envelope import Envelope
from core.fsutil import read_json_lines
from tui.screens.base import DispatchScreen
from tui.screens.feedback import FeedbackScreen
from tui.widgets.changes_panel import ChangesPanel
from tui.widgets.run_output import MARKDOWN_LIMIT


class RunDetailScreen(DispatchScreen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="detail.back"),
        Binding("e", "escalate", "Escalate", id="detail.escalate"),
        Binding("v", "review", "Review", id="detail.review"),
        Binding("r", "resume", "Resume", id="detail.resume", show=False),
        Binding("m", "merge", "Merge", id="detail.merge", show=False),
        Binding("d", "drop", "Drop", id="detail.drop", show=False),
    ]

    def __init__(self, slug: str, run_id: str, tab: str | None = None) -> None:
        super().__init__()
        self.slug = slug
        self.run_id = run_id
        self.record: dict = {}
        self.tab = tab
        """The tab to open on (the inbox opens "changes to review" on tab-changes)."""

    def compose(self) -> ComposeResult:
        project = Project.at(self.slug)
        try:
            self.record = project.read_run(self.run_id)
        except (OSError, ValueError) as exc:
            self.record = {"error": f"cannot read the record: {exc}"}
        events, skipped = read_json_lines(project.events_path(self.run_id))
        envelope = {k: v for k, v in Envelope.from_dict(self.record).to_dict().items() if k != "result"} \
            if "run_id" in self.record else self.record
        yield Header()
        with TabbedContent(id="detail-tabs"):
            with TabPane("Spec", id="tab-spec"):
                yield TextArea(self.record.get("spec") or "(no spec recorded)", read_only=True, id="detail-spec")
            with TabPane("Envelope", id="tab-envelope"):
                yield TextArea(json.dumps(envelope, indent=2, ensure_ascii=False, default=str), read_only=True,
                               id="detail-envelope")
            with TabPane("Result", id="tab-result"):
                result = str(self.record.get("result") or "")
                if len(result) > MARKDOWN_LIMIT:  # Markdown is slow at this size; see widgets/run_output.py
                    yield TextArea(result, read_only=True, id="detail-result")
                else:
                    yield Markdown(result or "*(no result)*", id="detail-result")
            with TabPane(f"Events ({len(events)})", id="tab-events"):
                log = Log(id="detail-events")
                yield log
            if self.record.get("changes"):
                with TabPane("Changes", id="tab-changes"):
                    yield ChangesPanel(id="detail-changes")
        yield Footer()
        self._events = [json.dumps(e, ensure_ascii=False)[:400] for e in events]
        if skipped:
            self._events.append(f"({skipped} unreadable line(s) skipped: a torn tail after a crash)")

    def on_mount(self) -> None:
        self.sub_title = f"{self.slug} · {self.run_id} · {self.record.get('status', '?')}"
        self.query_one("#detail-events", Log).write_lines(self._events)
        if self.record.get("changes"):
            self.query_one(ChangesPanel).show_run(self.slug, self.run_id, self.record["changes"])
            if self.tab:
                self.query_one(TabbedContent).active = self.tab

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_escalate(self) -> None:
        self.app.escalate(self.slug, self.run_id, self.record.get("tier"))

    def action_review(self) -> None:
        self.app.review(self.slug, self.run_id)

    def action_resume(self) -> None:
        """Resume the run's session with feedback typed in a modal (an agent continues in its worktree)."""
        self.app.push_screen(FeedbackScreen(f"{self.slug} {self.run_id}"),
                             lambda text: self.app.resume(self.slug, self.run_id, text) if text else None)

    def action_merge(self) -> None:
        if panel := self._changes():
            panel.merge()

    def action_drop(self) -> None:
        if panel := self._changes():
            panel.drop()

    def _changes(self) -> ChangesPanel | None:
        panels = self.query(ChangesPanel)
        if not panels:
            self.notify("this run did not work in a git worktree, so it has no changes to merge or drop")
            return None
        return panels.first()
