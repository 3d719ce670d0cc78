"""Audit browser: projects, then sessions, then runs; full-text search and filters through the index.

Runs are shown a page at a time from the index (count + limit/offset), so 100k runs cost what 50 do.
A run written by another process appears when the app's watcher bumps `runs_version`.
"""

from __future__ import annotations

import re
import sqlite3

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, OptionList, Select, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from core.envelope import Status
from core.errors import DispatchError
from tui.format import clip, money, tokens
from tui.screens.dashboard import status_text

PAGE = 50
SEARCH_LIMIT = 200
"""Best matches fetched for a search; the pager says when there may be more."""
ALL = "@all"
_MARK = re.compile("\u27e6(.*?)\u27e7")


def snippet_text(snippet: str, width: int = 40) -> Text:
    """The index marks matches ⟦like this⟧; show them highlighted, with the first match in view."""
    snippet = " ".join(snippet.split())
    first = snippet.find("\u27e6")
    if first > 16:
        snippet = "…" + snippet[first - 12:]
    text = Text()
    last = 0
    for match in _MARK.finditer(snippet):
        text.append(snippet[last:match.start()])
        text.append(match.group(1), style="bold reverse")
        last = match.end()
    text.append(snippet[last:])
    text.truncate(width, overflow="ellipsis")
    return text


class AuditScreen(Screen[None]):
    BINDINGS = [
        Binding("slash", "focus_search", "Search", id="audit.search"),
        Binding("right_square_bracket", "next_page", "Next page", id="audit.next"),
        Binding("left_square_bracket", "previous_page", "Prev page", id="audit.prev"),
        Binding("ctrl+r", "refresh", "Refresh", id="audit.refresh"),
        Binding("escape", "clear_filters", "Clear", id="audit.clear"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.slug: str | None = None
        self.session: str | None = None
        self.page = 0
        self.total = 0
        self.row_runs: dict[str, tuple[str, str]] = {}
        self.capped = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="audit-body"):
            with Vertical(id="audit-nav"):
                yield OptionList(id="audit-projects")
                yield OptionList(id="audit-sessions")
            with Vertical(id="audit-main"):
                with Horizontal(id="filters"):
                    yield Input(placeholder="search specs and results…", id="search")
                    yield Select([(s.value, s.value) for s in Status], prompt="any status", id="status")
                    yield Select([], prompt="any tier", id="tier")
                    yield Input(placeholder="since YYYY-MM-DD", id="since")
                yield DataTable(id="runs", cursor_type="row", zebra_stripes=True)
                yield Static(id="pager")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#audit-projects", OptionList).border_title = "Projects"
        self.query_one("#audit-sessions", OptionList).border_title = "Sessions"
        self.query_one("#runs", DataTable).border_title = "Runs"
        self.query_one("#tier", Select).set_options([(t, t) for t in self._tiers()])
        self.reload_projects()
        self.watch(self.app, "runs_version", lambda _v: self.reload_projects(), init=False)

    def _tiers(self) -> list[str]:
        from core.tiers import effective_tiers
        return sorted(effective_tiers(self.app.config))

    # --- navigation ------------------------------------------------------------------------------

    def reload_projects(self) -> None:
        index = self.app.index()
        projects = self.query_one("#audit-projects", OptionList)
        projects.clear_options()
        projects.add_option(Option("All projects", id=ALL))
        if index is not None:
            for row in index.projects(sort="updated"):
                projects.add_option(Option(Text.assemble((clip(row.slug, 17), "bold"), f" {row.runs}"), id=row.slug))
        self._select(projects, self.slug or ALL)
        self.reload_sessions()

    def reload_sessions(self) -> None:
        sessions = self.query_one("#audit-sessions", OptionList)
        sessions.clear_options()
        sessions.add_option(Option("All sessions", id=ALL))
        index = self.app.index()
        if self.slug and index is not None:
            for row in index.sessions(self.slug):
                sessions.add_option(Option(Text.assemble((row.session_id[:28], "bold"), f"  {row.runs} run(s)"),
                                           id=row.session_id))
        self._select(sessions, self.session or ALL)
        self.reload_runs()

    @staticmethod
    def _select(options: OptionList, option_id: str) -> None:
        try:
            options.highlighted = options.get_option_index(option_id)
        except OptionDoesNotExist:  # the project or session is gone; fall back to "All"
            options.highlighted = 0

    def show_project(self, slug: str | None) -> None:
        """Open the browser on one project (the dashboard's Enter)."""
        self.slug, self.session, self.page = slug, None, 0
        if not self.query("#audit-projects"):
            return  # not composed yet: on_mount loads with this project selected
        self.reload_projects()
        self.query_one("#runs", DataTable).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        value = None if event.option.id == ALL else event.option.id
        if event.option_list.id == "audit-projects":
            self.slug, self.session, self.page = value, None, 0
            self.reload_sessions()
        else:
            self.session, self.page = value, 0
            self.reload_runs()

    # --- the run list ---------------------------------------------------------------------------

    def _filters(self) -> dict[str, str | None]:
        status = self.query_one("#status", Select).value
        tier = self.query_one("#tier", Select).value
        since = self.query_one("#since", Input).value.strip() or None
        return {"status": status if isinstance(status, str) else None, "tier": tier if isinstance(tier, str) else None,
                "since": since}

    def reload_runs(self) -> None:
        index = self.app.index()
        table = self.query_one("#runs", DataTable)
        table.clear(columns=True)
        self.row_runs = {}
        if index is None:
            return
        query = self.query_one("#search", Input).value.strip()
        filters = self._filters()
        self.capped = False
        try:
            if query:
                self._show_hits(index, query, filters, table)
            else:
                self.total = index.count_runs(self.slug, session=self.session, **filters)
                self.page = min(self.page, max(0, (self.total - 1) // PAGE))
                self._show_runs(index.runs(self.slug, session=self.session, limit=PAGE, offset=self.page * PAGE,
                                           **filters), table)
        except (DispatchError, ValueError, sqlite3.Error) as exc:  # a bad date, or a query the index rejects
            self.total = 0
            self.notify(f"cannot list runs: {exc}; check the filters (since is YYYY-MM-DD)", severity="error")
        self._pager(query)

    def _columns(self, table: DataTable, snippet: bool = False) -> None:
        if snippet:
            table.add_columns("Run", "Project", "Status", "Match")
        else:
            table.add_columns("Run", "Project", "Kind", "Status", "Tier", "Tokens", "Cost")

    def _add(self, table: DataTable, run, snippet: str | None = None) -> None:
        key = f"{run.slug}/{run.run_id}"
        self.row_runs[key] = (run.slug, run.run_id)
        if snippet is not None:
            cells = [run.run_id, clip(run.slug, 22), status_text(run.status), snippet_text(snippet)]
        else:
            cells = [run.run_id, clip(run.slug, 22), run.kind, status_text(run.status), run.tier or "-",
                     f"{tokens(run.input_tokens)}/{tokens(run.output_tokens)}", money(run.cost_usd)]
        table.add_row(*cells, key=key)

    def _show_runs(self, runs, table: DataTable) -> None:
        self._columns(table)
        for run in runs:
            self._add(table, run)

    def _show_hits(self, index, query: str, filters: dict[str, str | None], table: DataTable) -> None:
        hits = index.search(query, limit=SEARCH_LIMIT, project=self.slug, status=filters["status"], since=filters["since"])
        self.capped = len(hits) == SEARCH_LIMIT
        if filters["tier"]:
            hits = [h for h in hits if h.run.tier == filters["tier"]]
        self.total = len(hits)
        self.page = min(self.page, max(0, (self.total - 1) // PAGE))
        self._columns(table, snippet=True)
        for hit in hits[self.page * PAGE:(self.page + 1) * PAGE]:
            self._add(table, hit.run, hit.snippet)

    def _pager(self, query: str) -> None:
        pages = max(1, -(-self.total // PAGE))
        scope = self.slug or "all projects"
        if self.session:
            scope += f", session {self.session[:20]}"
        what = f"{'best ' if self.capped else ''}matches for “{query}”" if query else "runs"
        self.query_one("#pager", Static).update(Text(
            f"{self.total:,} {what} in {scope} · page {self.page + 1} of {pages} · [ and ] turn pages · "
            f"enter opens a run"))

    def action_next_page(self) -> None:
        if (self.page + 1) * PAGE < self.total:
            self.page += 1
            self.reload_runs()

    def action_previous_page(self) -> None:
        if self.page > 0:
            self.page -= 1
            self.reload_runs()

    def action_refresh(self) -> None:
        self.app.sync_index()
        self.reload_projects()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear_filters(self) -> None:
        self.query_one("#search", Input).value = ""
        self.query_one("#since", Input).value = ""
        self.query_one("#status", Select).clear()
        self.query_one("#tier", Select).clear()
        self.page = 0
        self.reload_runs()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.page = 0
        self.reload_runs()
        self.query_one("#runs", DataTable).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.page = 0
        self.reload_runs()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value in self.row_runs:
            self.app.open_record(*self.row_runs[event.row_key.value])
