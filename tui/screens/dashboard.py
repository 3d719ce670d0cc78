"""Dashboard: every project at a glance, the dispatches running now, and the inbox of runs that need a
person — blocked, needs input, verify failed, contract failed (until accepted), review concerns, refused, escalations,
and agent changes to review.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import DataTable, Static

from core import changes, escalation
from core.audit import refusals
from core.audit.index import Index, ProjectRow, RunRow
from core.audit.store import Project
from core.contract import acceptance
from core.envelope import Status
from tui.format import ago, money, seconds, tokens
from tui.screens.base import DispatchScreen
from tui.screens.run_detail import RunDetailScreen
from tui.screens.run_view import RunViewScreen
from tui.widgets.fit_table import Col, FitTable
from tui.widgets.footer import Footer
from tui.widgets.header import Header
from tui.widgets.shell import TITLES, Shell

if TYPE_CHECKING:
    from tui.screens.audit import AuditScreen  # audit imports this module

PROJECT_LIMIT = 200
INBOX_SCAN = 200
"""Recent runs scanned for review concerns (the index has no filter for a verdict)."""
REFUSED_HINT = "a refused spec has no run to open or escalate; fix it in the editor (F3) and dispatch again"
REFUSALS_SHOWN = 10
"""The newest refused dispatches shown (from any process, kept by core/audit/refusals.py)."""
CHANGES = "changes to review"
"""An agent run that ended ok with changes on its branch not yet merged or dropped (core/changes.py pending)."""
VERIFY_FAILED = "verify_failed"
"""The reason the engine gives a run whose promised check failed (core/engine.py `_verify`)."""
NARROW = 100
"""Below this many columns the lower panels stack instead of sharing the width."""
RUNNING_SHOWN = 50
"""Runs other processes are running now, at most (from the index, each checked against its project lock)."""
_STYLE = {
    "ok": "green",
    "error": "red",
    "rejected": "red",
    "blocked": "yellow",
    "needs_input": "yellow",
    "timeout": "yellow",
    "interrupted": "yellow",
    "running": "cyan",
    "rate_limited": "yellow",
}


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


@dataclass
class Loaded:
    """What the dashboard shows, gathered in a worker thread (index queries and file reads)."""

    projects: list[ProjectRow] = field(default_factory=list)
    inbox: list[InboxItem] = field(default_factory=list)
    elsewhere: list[RunRow] = field(default_factory=list)
    """Runs recorded as running whose project is locked now: dispatches of other processes (or this one)."""


def gather(index: Index | None, *, sync: bool = False) -> Loaded:
    """Everything the dashboard lists; runs in a thread. `sync` first catches the index up with the files."""
    if index is not None and sync:
        index.writer.sync()
    projects = index.projects(sort="updated", limit=PROJECT_LIMIT) if index is not None else []
    running = index.runs(status="running", limit=RUNNING_SHOWN) if index is not None else []
    locked = {slug: Project.at(slug).locked() for slug in {run.slug for run in running}}
    return Loaded(projects, inbox(index, [row.slug for row in projects]), [run for run in running if locked[run.slug]])


def inbox(index: Index | None, slugs: list[str]) -> list[InboxItem]:
    items: list[InboxItem] = []
    for refusal in refusals.recent(REFUSALS_SHOWN):
        items.append(
            InboxItem("refused", refusal.get("slug") or "-", None, refusal.get("error") or "refused", refusal.get("at"))
        )
    if index is not None:
        filters: tuple[tuple[str, dict[str, Any]], ...] = (
            ("blocked", {"status": str(Status.BLOCKED)}),
            ("needs input", {"status": str(Status.NEEDS_INPUT)}),
            ("verify failed", {"reason": VERIFY_FAILED}),
            ("contract failed", {"reason": acceptance.VIOLATION}),
        )
        taken: dict[str, set[str]] = {}
        for kind, where in filters:
            for run in index.runs(limit=20, **where):
                if kind == "contract failed" and run.run_id in taken.setdefault(
                    run.slug, set(acceptance.accepted(Project.at(run.slug)))
                ):
                    continue
                items.append(
                    InboxItem(kind, run.slug, run.run_id, run.error or run.reason or "", run.started_at, run.tier)
                )
        for run in index.runs(limit=INBOX_SCAN):
            if run.verdict in ("concerns", "fail"):
                items.append(
                    InboxItem(
                        f"review: {run.verdict}",
                        run.slug,
                        run.run_id,
                        f"review of {run.parent_run_id or 'a run'}",
                        run.started_at,
                        run.tier,
                    )
                )
    for slug in slugs[:50]:
        for waiting in changes.pending(Project.at(slug)):
            items.append(
                InboxItem(
                    CHANGES,
                    slug,
                    waiting["run_id"],
                    f"{waiting['files']} files on {waiting['branch']} (enter: diff, merge, drop)",
                    waiting["at"],
                )
            )
        for step in escalation.history(slug):
            target = "primary" if step.to == escalation.PRIMARY else f"tier {step.to}"
            items.append(InboxItem(f"escalated → {target}", slug, step.run_id, step.reason, step.at))
    return sorted(items, key=lambda item: item.when or "", reverse=True)


def panels(narrow: bool) -> list[Widget]:
    """The dashboard's panels: Projects over a row of Running beside Inbox (stacked when narrow), the inbox's
    detail under its table, hidden until an item is highlighted."""
    projects = FitTable(
        Col("Project", 12, 3, middle=True),
        Col("Last status", 11),
        Col("Tier", 7, 1),
        Col("Runs", 4),
        Col("In/out", 10, 1),
        Col("Cost", 9),
        Col("Updated", 8),
        id="projects",
        cursor_type="row",
        zebra_stripes=True,
    )
    running = FitTable(
        Col("Dispatch", 10, 3),
        Col("Model", 6, 2),
        Col("Status", 8),
        Col("Elapsed", 7),
        Col("Out", 5),
        id="running",
        cursor_type="row",
    )
    inbox = FitTable(
        Col("Needs", 19, 1),
        Col("Project", 10, 2, middle=True),
        Col("When", 8),
        Col("Detail", 12, 4),
        id="inbox",
        cursor_type="row",
    )
    for table, title in zip((projects, running, inbox), TITLES, strict=True):
        table.border_title = title
    detail = Static(id="inbox-detail")
    detail.display = False
    lower = Horizontal(
        running, Vertical(inbox, detail, id="inbox-box"), id="dash-lower", classes="-narrow" if narrow else ""
    )
    return [projects, lower]


def elapsed_since(iso: str | None, now: datetime) -> float:
    try:
        then = datetime.fromisoformat(iso or "")
    except ValueError:
        return 0.0
    return max(0.0, (now - then).total_seconds()) if then.tzinfo else 0.0


class DashboardScreen(DispatchScreen):
    BINDINGS = [
        Binding("n", "new_spec", "New spec", id="dash.new"),
        Binding("b", "batch", "Batch", id="dash.batch", show=False),
        Binding("enter", "open", "Open", id="dash.open", show=False),
        Binding("e", "escalate", "Escalate", id="dash.escalate"),
        Binding("ctrl+r", "refresh", "Refresh", id="dash.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[InboxItem] = []
        self.projects: list[ProjectRow] = []
        self.elsewhere: list[RunRow] = []
        self.running_keys: list[str] | None = []
        """The rows the Running panel shows; None has it rebuilt on the next tick (after a load)."""
        self.loads = 0
        """How many loads have been drawn (tests and benchmarks wait on it)."""
        self._stale = False
        """The runs changed while another screen was in front: reload when this one is shown again."""
        self.tables_ready = False
        """The tables have replaced the placeholders (with the first load); until then nothing reads them."""

    def compose(self) -> ComposeResult:
        """The first frame draws the panels' outlines (one Shell widget): the tables (Textual's DataTable, whose own
        CSS and drawing were the largest part of a ~100 ms first frame) are mounted with the first load, the footer
        just after that frame (mount_footer)."""
        yield Header()
        yield Shell(NARROW)

    async def mount_tables(self) -> None:
        """Put the panels where the shell is, all in one mount: a load cancelled by another (the worker is
        exclusive) may have mounted them already."""
        if not self.query("#projects"):
            await self.mount_all(panels(self.size.width < NARROW), before=self.query_one(Shell))
        await self.query(Shell).remove()
        if self.focused is None and self.is_current:  # else Textual focuses it when the dashboard is shown again
            self.query_one("#projects", DataTable).focus()
        self.tables_ready = True

    def on_resize(self) -> None:
        """Side by side from 100 columns; below that the Running and Inbox panels stack, each full width."""
        for lower in self.query("#dash-lower"):  # none yet while the shell stands in for the panels
            lower.set_class(self.size.width < NARROW, "-narrow")

    async def mount_footer(self) -> None:
        """The footer's keys (a widget each, with the footer's CSS parsed first) were ~40 ms of a ~95 ms first
        frame: mounted once that frame is drawn, they appear a moment after the panels, before the lists."""
        await self.mount(Footer())

    def on_mount(self) -> None:
        self.call_after_refresh(self.mount_footer)
        self.reload()
        self.set_interval(0.5, self.tick)
        self.watch(self.app, "runs_version", self._runs_changed, init=False)

    def _runs_changed(self, _version: int) -> None:
        """Reload now if in sight, else when next shown: a hidden dashboard rebuilding its tables as a run
        ended competed with the run view drawing that run's last frame."""
        if self.in_sight:
            self.reload()
        else:
            self._stale = True

    def on_screen_resume(self) -> None:
        if self._stale:
            self._stale = False
            self.reload()
        self.tick()

    def action_refresh(self) -> None:
        """Catch the index up with the files first, so runs written by anything at all appear."""
        self.reload(sync=True)

    @work(exclusive=True, group="load-dashboard", exit_on_error=False)
    async def reload(self, sync: bool = False) -> None:
        """Load in a thread, then draw: the screen never waits on SQLite or the disk. The first load starts once
        the first frame is drawn: the thread building its rows held the interpreter while that frame was drawn."""
        if not self.tables_ready:
            await self.wait_for_refresh()
        loaded = await self.app.in_thread(lambda index: gather(index, sync=sync))
        if not self.tables_ready:
            await self.mount_tables()
        self.show(loaded)

    def show(self, loaded: Loaded) -> None:
        now = self.app.now()
        self.projects, self.items, self.elsewhere = loaded.projects, loaded.inbox, loaded.elsewhere
        table = self.query_one("#projects", DataTable)
        table.clear()
        for row in self.projects:
            table.add_row(
                Text(row.slug, style="bold"),
                status_text(row.last_status),
                row.tier or "-",
                str(row.runs),
                f"{tokens(row.input_tokens)}/{tokens(row.output_tokens)}",
                money(row.cost_usd),
                ago(row.updated, now),
                key=row.slug,
            )
        table.border_subtitle = (
            f"{len(self.projects)} project(s)" if self.projects else "no projects yet: press n to write a spec"
        )
        inbox_table = self.query_one("#inbox", DataTable)
        inbox_table.clear()
        for number, item in enumerate(self.items):
            inbox_table.add_row(
                Text(item.kind, style="bold"),
                item.slug,
                ago(item.when, now),
                " ".join(item.detail.split()),
                key=str(number),
            )
        inbox_table.border_subtitle = f"{len(self.items)} item(s)" if self.items else "nothing needs you"
        self.show_detail()
        self.running_keys = None  # [] would match a panel still showing a run that ended while this was hidden
        self.tick()
        self.loads += 1

    def show_detail(self) -> None:
        """The whole of the highlighted inbox item, wrapped: the table's Detail column shows what fits."""
        inbox_table = self.query_one("#inbox", DataTable)
        detail = self.query_one("#inbox-detail", Static)
        if not self.items or not inbox_table.row_count:
            detail.display = False
            return
        item = self.items[min(inbox_table.cursor_row, len(self.items) - 1)]
        detail.display = True
        detail.update(
            Text.assemble(
                (f"{item.kind} ", "bold"),
                (f"{item.slug}  ", "bold"),
                (f"{item.run_id or 'no run'}\n", "dim"),
                item.detail or "-",
            )
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "inbox":
            self.show_detail()

    def tick(self) -> None:
        """Twice a second while in sight: elapsed times of running dispatches, the projects' "Updated" ages and the
        inbox's "When"."""
        if not self.in_sight or not self.tables_ready:
            return
        now = self.app.now()
        projects = self.query_one("#projects", DataTable)
        if projects.row_count == len(self.projects) and self.projects:
            updated = projects.ordered_columns[-1].key
            for row in self.projects:
                text = ago(row.updated, now)
                if projects.get_cell(row.slug, updated) != text:
                    projects.update_cell(row.slug, updated, text)
        inbox = self.query_one("#inbox", DataTable)
        if inbox.row_count == len(self.items) and self.items:
            when = inbox.ordered_columns[2].key
            for number, item in enumerate(self.items):
                text = ago(item.when, now)
                if inbox.get_cell(str(number), when) != text:
                    inbox.update_cell(str(number), when, text)
        self.refresh_running()

    def refresh_running(self) -> None:
        """This console's dispatches (from their workers) and other processes' (from the trail), elapsed ticking."""
        table = self.query_one("#running", DataTable)
        live_runs = [live for live in self.app.live_runs.values() if not live.done]
        mine = {live.run_id for live in live_runs if live.run_id}
        others = [run for run in self.elsewhere if run.run_id not in mine]
        keys = [str(live.key) for live in live_runs] + [f"{run.slug}/{run.run_id}" for run in others]
        if keys != self.running_keys:
            table.clear()
            for live in live_runs:
                table.add_row(live.label, "", "", "", "", key=str(live.key))
            for run in others:
                table.add_row(f"{run.kind} {run.slug}", "", "", "", "", key=f"{run.slug}/{run.run_id}")
            self.running_keys = keys
        clock, now = self.app.clock(), self.app.now()
        columns = [column.key for column in table.ordered_columns]
        for live in live_runs:
            out = tokens(live.output_tokens) if live.output_tokens else f"~{tokens(len(live.text) // 4)}"
            for column, value in zip(
                columns[1:],
                (live.model or "…", status_text(live.status), seconds(max(0.0, clock - live.started)), out),
                strict=False,
            ):
                table.update_cell(str(live.key), column, value)
        for run in others:
            for column, value in zip(
                columns[1:],
                (run.model or "…", status_text("running"), seconds(elapsed_since(run.started_at, now)), "-"),
                strict=False,
            ):
                table.update_cell(f"{run.slug}/{run.run_id}", column, value)
        subtitle = f"{len(keys)} running" + (f", {len(others)} elsewhere" if others else "") if keys else "none running"
        if table.border_subtitle != subtitle:
            table.border_subtitle = subtitle

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self._open(event.data_table.id or "", event.row_key.value)

    def action_open(self) -> None:
        if not self.tables_ready:
            return
        table = self.focused if isinstance(self.focused, DataTable) else self.query_one("#projects", DataTable)
        if table.row_count:
            self._open(table.id or "", table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _open(self, table: str, key: str | None) -> None:
        if key is None:
            return
        if table == "projects":
            self.app.action_go("audit")
            cast("AuditScreen", self.app.screen).show_project(key)
        elif table == "running":
            if key.isdigit() and (live := self.app.live_runs.get(int(key))):
                self.app.push_screen(RunViewScreen(live))
            elif "/" in key:
                self.app.action_go("audit")
                cast("AuditScreen", self.app.screen).show_project(key.split("/", 1)[0])
        elif table == "inbox":
            item = self.items[int(key)]
            if item.run_id and item.kind == CHANGES:
                self.app.push_screen(RunDetailScreen(item.slug, item.run_id, tab="tab-changes"))
            elif item.run_id:
                self.app.open_record(item.slug, item.run_id)
            else:
                self.notify(REFUSED_HINT, severity="warning")

    def action_escalate(self) -> None:
        if (
            not self.items
            or not self.tables_ready
            or not (inbox_table := self.query_one("#inbox", DataTable)).row_count
        ):
            self.notify("the inbox is empty; open a run to escalate it", severity="information")
            return
        item = self.items[int(inbox_table.coordinate_to_cell_key(inbox_table.cursor_coordinate).row_key.value or 0)]
        if item.run_id is None:
            self.notify(REFUSED_HINT, severity="warning")
            return
        self.app.escalate(item.slug, item.run_id, item.tier)

    def action_new_spec(self) -> None:
        self.app.action_go("editor")

    def action_batch(self) -> None:
        self.app.action_go("batch")
