"""Dashboard: every project at a glance, the dispatches running now, and the inbox of runs that need a
person — blocked, needs input, verify failed, review concerns, refused, and escalations.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header

from core import escalation
from core.audit import refusals
from core.envelope import Status
from tui.format import ago, clip, money, seconds, tokens
from tui.screens.run_view import RunViewScreen

PROJECT_LIMIT = 200
INBOX_SCAN = 200
"""Recent runs scanned for review concerns (the index has no filter for a verdict)."""
REFUSED_HINT = "a refused spec has no run to open or escalate; fix it in the editor (F3) and dispatch again"
REFUSALS_SHOWN = 10
"""The newest refused dispatches shown (from any process, kept by core/audit/refusals.py)."""
VERIFY_FAILED = "verify_failed"
"""The reason the engine gives a run whose promised check failed (core/engine.py `_verify`)."""
_STYLE = {"ok": "green", "error": "red", "rejected": "red", "blocked": "yellow", "needs_input": "yellow",
          "timeout": "yellow", "interrupted": "yellow", "running": "cyan", "rate_limited": "yellow"}


def status_text(status: str | None) -> Text:
    return Text(status or "-", style=_STYLE.get(status or "", ""))


@dataclass(frozen=True)
class InboxItem:
    """One row of the inbox, whatever it came from (a run, a refusal record, an escalation), so they sort as one."""

    kind: str
    slug: str
    run_id: str | None
    detail: str
    when: str | None
    tier: str | None = None


class DashboardScreen(Screen[None]):
    BINDINGS = [
        Binding("n", "new_spec", "New spec", id="dash.new"),
        Binding("enter", "open", "Open", id="dash.open", show=False),
        Binding("e", "escalate", "Escalate", id="dash.escalate"),
        Binding("ctrl+r", "refresh", "Refresh", id="dash.refresh"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="dash"):
            yield DataTable(id="projects", cursor_type="row", zebra_stripes=True)
            with Horizontal(id="dash-lower"):
                yield DataTable(id="running", cursor_type="row")
                yield DataTable(id="inbox", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        projects = self.query_one("#projects", DataTable)
        projects.border_title = "Projects"
        projects.add_columns("Project", "Last status", "Tier", "Runs", "Tokens in/out", "Cost", "Updated")
        running = self.query_one("#running", DataTable)
        running.border_title = "Running"
        running.add_columns("Dispatch", "Model", "Status", "Elapsed", "Out tokens")
        inbox = self.query_one("#inbox", DataTable)
        inbox.border_title = "Inbox"
        inbox.add_columns("Needs", "Project", "When", "Detail")
        self.items: list[InboxItem] = []
        self.running_keys: list[int] = []
        self.reload()
        self.set_interval(0.5, self.refresh_running)
        self.watch(self.app, "runs_version", lambda _v: self.reload(), init=False)

    def action_refresh(self) -> None:
        """Catch the index up with the files first, so runs written by anything at all appear."""
        self.app.sync_index()
        self.reload()

    def reload(self) -> None:
        index = self.app.index()
        rows = index.projects(sort="updated", limit=PROJECT_LIMIT) if index is not None else []
        now = self.app.now()
        table = self.query_one("#projects", DataTable)
        table.clear()
        for row in rows:
            table.add_row(Text(row.slug, style="bold"), status_text(row.last_status), row.tier or "-", str(row.runs),
                          f"{tokens(row.input_tokens)}/{tokens(row.output_tokens)}", money(row.cost_usd),
                          ago(row.updated, now), key=row.slug)
        table.border_subtitle = f"{len(rows)} project(s)" if rows else "no projects yet: press n to write a spec"
        self.items = self._inbox(index, [r.slug for r in rows])
        inbox = self.query_one("#inbox", DataTable)
        inbox.clear()
        for number, item in enumerate(self.items):
            inbox.add_row(Text(item.kind, style="bold yellow"), clip(item.slug, 24), ago(item.when, now),
                          item.detail[:80], key=str(number))
        inbox.border_subtitle = f"{len(self.items)} item(s)" if self.items else "nothing needs you"
        self.refresh_running()

    def _inbox(self, index, slugs: list[str]) -> list[InboxItem]:
        items: list[InboxItem] = []
        for refusal in refusals.recent(REFUSALS_SHOWN):
            items.append(InboxItem("refused", refusal.get("slug") or "-", None, refusal.get("error") or "refused",
                                   refusal.get("at")))
        if index is not None:
            for kind, where in (("blocked", {"status": str(Status.BLOCKED)}),
                                ("needs input", {"status": str(Status.NEEDS_INPUT)}),
                                ("verify failed", {"reason": VERIFY_FAILED})):
                for run in index.runs(limit=20, **where):
                    items.append(InboxItem(kind, run.slug, run.run_id, run.error or run.reason or "", run.started_at,
                                           run.tier))
            for run in index.runs(limit=INBOX_SCAN):
                if run.verdict in ("concerns", "fail"):
                    items.append(InboxItem(f"review: {run.verdict}", run.slug, run.run_id,
                                           f"review of {run.parent_run_id or 'a run'}", run.started_at, run.tier))
        for slug in slugs[:50]:
            for step in escalation.history(slug):
                target = "primary" if step.to == escalation.PRIMARY else f"tier {step.to}"
                items.append(InboxItem(f"escalated → {target}", slug, step.run_id, step.reason, step.at))
        return sorted(items, key=lambda item: item.when or "", reverse=True)

    def refresh_running(self) -> None:
        table = self.query_one("#running", DataTable)
        live_runs = [live for live in self.app.live_runs.values() if not live.done]
        keys = [live.key for live in live_runs]
        if keys != self.running_keys:
            table.clear()
            for live in live_runs:
                table.add_row(clip(live.label, 24), "", "", "", "", key=str(live.key))
            self.running_keys = keys
        now = self.app.clock()
        for live in live_runs:
            row = str(live.key)
            table.update_cell(row, table.ordered_columns[1].key, live.model or "…")
            table.update_cell(row, table.ordered_columns[2].key, status_text(live.status))
            table.update_cell(row, table.ordered_columns[3].key, seconds(max(0.0, now - live.started)))
            table.update_cell(row, table.ordered_columns[4].key, tokens(live.output_tokens) if live.output_tokens else f"~{tokens(len(live.text) // 4)}")
        subtitle = f"{len(live_runs)} running" if live_runs else "none running"
        if table.border_subtitle != subtitle:
            table.border_subtitle = subtitle

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self._open(event.data_table.id or "", event.row_key.value)

    def action_open(self) -> None:
        table = self.focused if isinstance(self.focused, DataTable) else self.query_one("#projects", DataTable)
        if table.row_count:
            self._open(table.id or "", table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _open(self, table: str, key: str | None) -> None:
        if key is None:
            return
        if table == "projects":
            self.app.action_go("audit")
            self.app.screen.show_project(key)
        elif table == "running" and (live := self.app.live_runs.get(int(key))):
            self.app.push_screen(RunViewScreen(live))
        elif table == "inbox":
            item = self.items[int(key)]
            if item.run_id:
                self.app.open_record(item.slug, item.run_id)
            else:
                self.notify(REFUSED_HINT, severity="warning")

    def action_escalate(self) -> None:
        inbox = self.query_one("#inbox", DataTable)
        if not self.items or not inbox.row_count:
            self.notify("the inbox is empty; open a run to escalate it", severity="information")
            return
        item = self.items[int(inbox.coordinate_to_cell_key(inbox.cursor_coordinate).row_key.value or 0)]
        if item.run_id is None:
            self.notify(REFUSED_HINT, severity="warning")
            return
        self.app.escalate(item.slug, item.run_id, item.tier)

    def action_new_spec(self) -> None:
        self.app.action_go("editor")
