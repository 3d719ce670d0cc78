"""Audit browser: projects, then sessions, then runs; full-text search and filters through the index.

Runs are shown a page at a time from the index (count + limit/offset), so 100k runs cost what 50 do.
A run written by another process appears when the app's watcher bumps `runs_version`.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, OptionList, Select, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from core.audit import chain
from core.audit.index import Index, ProjectRow, RunRow, SessionRow
from core.audit.store import Project
from core.envelope import Status
from core.errors import DispatchError
from tui.format import clip, money, tokens
from tui.screens.base import DispatchScreen
from tui.screens.dashboard import NARROW, status_text
from tui.widgets.fit_table import Col
from tui.widgets.footer import Footer
from tui.widgets.header import Header
from tui.widgets.runs_table import Cell, RunsTable

PAGE = 50
RUN_WIDE, RUN_LEAST = 25, 16
"""A run id is 22 characters with a 4-digit pid and 25 with a 7-digit one: the Run column shows all of it where the
other columns leave room, else what they leave, down to RUN_LEAST, cut in the middle (clip) so the date and the
pid's end still read."""
LISTING = (
    ("Project", "Kind", "Status", "Tier", "Tokens", "Cost"),
    ("Project", "Status", "Tier", "Tokens", "Cost"),
    ("Project", "Status", "Tokens", "Cost"),
    ("Project", "Status", "Cost"),
)
"""The columns beside Run, widest set first: the run list shows the first that leaves Run its whole width, else the
last (what a person needs to pick a run is in every one)."""
SEARCHING = (("Project", "Status", "Match"),)
COLUMNS = {
    "Project": Col("Project", 7, 2),
    "Kind": Col("Kind", 6),
    "Status": Col("Status", 11),
    "Tier": Col("Tier", 7, 1),
    "Tokens": Col("Tokens", 9),
    "Cost": Col("Cost", 9),
    "Match": Col("Match", 12, 4),
}
SEARCH_LIMIT = 200
"""Best matches fetched for a search; the pager says when there may be more."""
ALL = "@all"
_MARK = re.compile("\u27e6(.*?)\u27e7")


def snippet_text(snippet: str, width: int = 40) -> Text:
    """The index marks matches ⟦like this⟧; show them highlighted, with the first match in view."""
    snippet = " ".join(snippet.split())
    first = snippet.find("\u27e6")
    if first > 16:
        snippet = "…" + snippet[first - 12 :]
    text = Text()
    last = 0
    for match in _MARK.finditer(snippet):
        text.append(snippet[last : match.start()])
        text.append(match.group(1), style="bold reverse")
        last = match.end()
    text.append(snippet[last:])
    text.truncate(width, overflow="ellipsis")
    return text


@dataclass(frozen=True)
class Ask:
    """What to load, read from the screen on the loop before the worker thread starts."""

    slug: str | None
    session: str | None
    page: int
    query: str
    filters: dict[str, str | None]
    projects: bool
    sessions: bool
    count: bool
    total: int


@dataclass
class Got:
    projects: list[ProjectRow] | None
    sessions: list[SessionRow] | None
    rows: list[tuple[RunRow, str | None]]
    """Each run with its search snippet (None when listing, not searching)."""
    total: int
    page: int
    capped: bool = False
    chain: chain.Report | None = None
    """The selected project's hash chain, walked (core/audit/chain.py), so tampered runs can be marked."""


CHAINS = chain.Verifier()
"""Each project's chain report, walked again only when its files change."""


def fetch(index: Index | None, ask: Ask, sync: bool = False) -> Got:
    """The audit browser's queries, in a worker thread."""
    if index is None:
        return Got([] if ask.projects else None, [] if ask.sessions else None, [], 0, 0)
    if sync:
        index.writer.sync()
    report = None
    if ask.slug:
        project = Project(ask.slug, index.writer.projects_dir / ask.slug)
        report = CHAINS.verify(ask.slug, project.logs, live=project.locked())
    projects = index.projects(sort="updated") if ask.projects else None
    sessions = (index.sessions(ask.slug) if ask.slug else []) if ask.sessions else None
    filters = ask.filters
    if ask.query:
        hits = index.search(
            ask.query, limit=SEARCH_LIMIT, project=ask.slug, status=filters["status"], since=filters["since"]
        )
        capped = len(hits) == SEARCH_LIMIT
        if filters["tier"]:
            hits = [hit for hit in hits if hit.run.tier == filters["tier"]]
        page = min(ask.page, max(0, (len(hits) - 1) // PAGE))
        rows: list[tuple[RunRow, str | None]] = [
            (hit.run, hit.snippet) for hit in hits[page * PAGE : (page + 1) * PAGE]
        ]
        return Got(projects, sessions, rows, len(hits), page, capped, report)
    total = index.count_runs(ask.slug, session=ask.session, **filters) if ask.count else ask.total
    page = min(ask.page, max(0, (total - 1) // PAGE))
    runs = index.runs(ask.slug, session=ask.session, limit=PAGE, offset=page * PAGE, **filters)
    return Got(projects, sessions, [(run, None) for run in runs], total, page, chain=report)


class AuditScreen(DispatchScreen):
    DEFAULT_CSS = """
    AuditScreen #audit-nav { width: 26; }
    AuditScreen #audit-projects { height: 1fr; }
    AuditScreen #audit-sessions { height: 1fr; }
    AuditScreen #filters { height: 3; }
    AuditScreen #search { width: 1fr; }
    AuditScreen #filters Select { width: 20; }
    AuditScreen #since { width: 18; }
    AuditScreen #runs { height: 1fr; }
    /* At 80 columns the run list then has room for a whole 22-character run id beside its headers. */
    AuditScreen.-narrow #audit-nav { width: 19; }
    AuditScreen.-narrow #filters Select { width: 15; }
    AuditScreen.-narrow #since { width: 16; }
    AuditScreen #pager { height: 1; padding: 0 1; color: $text-muted; }
    """
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
        self.shown: list[tuple[str, RunRow, str | None]] = []
        """The page's runs, keyed, with their search snippets: drawn again when the columns change."""
        self._searching = False
        """Whether those are a search's matches (a Match column) or a listing."""
        self._want: set[str] = set()
        self.tampered: dict[str, str] = {}
        """Run id -> what `audit verify` says of it (edited, reordered), for the selected project."""
        self.chain_note = ""
        self.loads = 0
        """How many loads have been drawn (tests and benchmarks wait on it)."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="audit-body"):
            with Vertical(id="audit-nav"):
                yield OptionList(id="audit-projects")
                yield OptionList(id="audit-sessions")
            with Vertical(id="audit-main"):
                with Horizontal(id="filters"):
                    yield Input(placeholder="search…", tooltip="search the specs and results of the runs", id="search")
                    yield Select([(s.value, s.value) for s in Status], prompt="status", id="status")
                    yield Select([], prompt="tier", id="tier")
                    yield Input(placeholder="YYYY-MM-DD", tooltip="only runs since this day", id="since")
                yield RunsTable(id="runs")
                yield Static(id="pager")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#audit-projects", OptionList).border_title = "Projects"
        self.query_one("#audit-sessions", OptionList).border_title = "Sessions"
        self.query_one("#runs", RunsTable).border_title = "Runs"
        self.query_one("#tier", Select).set_options([(t, t) for t in self._tiers()])
        self.reload_projects()
        self.query_one("#runs", RunsTable).focus()  # enter opens a run at once; / searches, tab reaches the rest
        self.watch(self.app, "runs_version", lambda _v: self.reload_projects(), init=False)

    def _tiers(self) -> list[str]:
        from core.tiers import effective_tiers

        return sorted(effective_tiers(self.app.config))

    # --- loading: the queries run in a worker thread, the drawing on the loop ------------------------

    def reload_projects(self) -> None:
        self.load(projects=True)

    def reload_sessions(self) -> None:
        self.load(sessions=True)

    def reload_runs(self, count: bool = True) -> None:
        """The run list again; `count=False` (a page turn) keeps the total, which the filters alone decide."""
        self.load(count=count)

    @work(exclusive=True, group="load-audit", exit_on_error=False)
    async def load(
        self, *, projects: bool = False, sessions: bool = False, count: bool = True, sync: bool = False
    ) -> None:
        """Query in a thread, then draw; a newer load cancels an older one, so the last key pressed wins, and
        what a cancelled load was asked for is carried into the next."""
        self._want |= {
            name
            for name, wanted in (
                ("projects", projects),
                ("sessions", sessions or projects),
                ("count", count or projects or sessions),
            )
            if wanted
        }
        ask = Ask(
            self.slug,
            self.session,
            self.page,
            self.query_one("#search", Input).value.strip(),
            self._filters(),
            "projects" in self._want,
            "sessions" in self._want,
            "count" in self._want,
            self.total,
        )
        try:
            got = await self.app.in_thread(lambda index: fetch(index, ask, sync))
        except (DispatchError, ValueError, sqlite3.Error) as exc:  # a bad date, or a query the index rejects
            self.total = 0
            self.query_one("#runs", RunsTable).set_rows([])
            self.notify(f"cannot list runs: {exc}; check the filters (since is YYYY-MM-DD)", severity="error")
            self._pager(ask.query)
            return
        self.show(ask, got)

    def show(self, ask: Ask, got: Got) -> None:
        self._want.clear()
        if got.projects is not None:
            options = self.query_one("#audit-projects", OptionList)
            options.clear_options()
            options.add_option(Option("All projects", id=ALL))
            for row in got.projects:
                options.add_option(
                    Option(
                        Text.assemble((clip(row.slug, 12 if self.narrow else 16), "bold"), f" {row.runs}"), id=row.slug
                    )
                )
            self._select(options, self.slug or ALL)
        if got.sessions is not None:
            options = self.query_one("#audit-sessions", OptionList)
            options.clear_options()
            options.add_option(Option("All sessions", id=ALL))
            for session in got.sessions:
                options.add_option(
                    Option(
                        Text.assemble(
                            (clip(session.session_id, 10 if self.narrow else 14), "bold"), f" {session.runs}"
                        ),
                        id=session.session_id,
                    )
                )
            self._select(options, self.session or ALL)
        self.total, self.page, self.capped = got.total, got.page, got.capped
        problems = got.chain.problems if got.chain else []
        self.tampered = {p.where: p.kind for p in problems}
        self.chain_note = (
            (
                f" · ⚠ chain: {len(problems)} problem(s) ({', '.join(sorted({p.kind for p in problems}))}), "
                "see `dispatch audit verify`"
            )
            if problems
            else ""
        )
        self.shown = [(f"{run.slug}/{run.run_id}", run, match) for run, match in got.rows]
        self.row_runs = {key: (run.slug, run.run_id) for key, run, _ in self.shown}
        self._searching = bool(ask.query)
        self._draw_rows(self._columns())
        self._pager(ask.query)
        self.loads += 1

    def _draw_rows(self, columns: tuple[Col, ...]) -> None:
        table = self.query_one("#runs", RunsTable)
        if columns != tuple(table.spec):
            table.set_columns(*columns)
        table.set_rows([(key, self._cells(run, match, columns)) for key, run, match in self.shown])

    @staticmethod
    def _select(options: OptionList, option_id: str) -> None:
        try:
            options.highlighted = options.get_option_index(option_id)
        except OptionDoesNotExist:  # the project or session is gone; fall back to "All"
            options.highlighted = 0

    def show_project(self, slug: str | None) -> None:
        """Open the browser on one project (the dashboard's Enter), with the runs table focused."""
        self.slug, self.session, self.page = slug, None, 0
        if self.query("#audit-projects"):  # not composed yet: on_mount loads with this project selected
            self.reload_projects()
            self.query_one("#runs", RunsTable).focus()

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
        return {
            "status": status if isinstance(status, str) else None,
            "tier": tier if isinstance(tier, str) else None,
            "since": since,
        }

    @property
    def narrow(self) -> bool:
        return self.size.width < NARROW

    def _columns(self) -> tuple[Col, ...]:
        """The widest set of columns that fits the run list's width beside a whole Run column, else the narrowest
        beside the Run column the width leaves."""
        table = self.query_one("#runs", RunsTable)
        sets = [tuple(COLUMNS[label] for label in labels) for labels in (SEARCHING if self._searching else LISTING)]
        whole = Col("Run", RUN_WIDE)
        beside = next((columns for columns in sets if table.spare((whole, *columns)) >= 0), sets[-1])
        run = max(RUN_LEAST, min(RUN_WIDE, RUN_WIDE + table.spare((whole, *beside))))
        return Col("Run", run), *beside

    def on_runs_table_resized(self, event: RunsTable.Resized) -> None:
        """Another width may fit more columns or fewer: the page is drawn again from the rows it has, no query."""
        columns = self._columns()
        if columns != tuple(event.table.spec):
            cursor = event.table.cursor_row
            self._draw_rows(columns)
            event.table.move_cursor(cursor)

    def on_resize(self) -> None:
        self.set_class(self.narrow, "-narrow")

    def _cells(self, run: RunRow, snippet: str | None, columns: tuple[Col, ...]) -> list[Cell]:
        """One run's cells, for `columns`."""
        status = status_text(run.status)
        if kind := self.tampered.get(run.run_id):
            status = Text(f"⚠ {kind}", style="bold reverse red")
        cells: dict[str, Cell] = {
            "Project": run.slug,
            "Kind": run.kind,
            "Status": status,
            "Tier": run.tier or "-",
            "Tokens": f"{tokens(run.input_tokens)}/{tokens(run.output_tokens)}",
            "Cost": money(run.cost_usd),
            "Match": snippet_text(snippet) if snippet is not None else "",
        }
        return [clip(run.run_id, column.width) if column.label == "Run" else cells[column.label] for column in columns]

    def _pager(self, query: str) -> None:
        pages = max(1, -(-self.total // PAGE))
        scope = self.slug or "all projects"
        if self.session:
            scope += f", session {self.session[:20]}"
        what = f"{'best ' if self.capped else ''}matches for “{query}”" if query else "runs"
        self.query_one("#pager", Static).update(
            Text(
                f"{self.total:,} {what} in {scope} · page {self.page + 1} of {pages} · [ and ] turn pages · "
                f"enter opens a run{self.chain_note}"
            ),
            layout=False,
        )

    def action_next_page(self) -> None:
        if (self.page + 1) * PAGE < self.total:
            self.page += 1
            self.reload_runs(count=False)

    def action_previous_page(self) -> None:
        if self.page > 0:
            self.page -= 1
            self.reload_runs(count=False)

    def action_refresh(self) -> None:
        """Catch the index up with the files first, so runs written by anything at all appear."""
        self.load(projects=True, sync=True)

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear_filters(self) -> None:
        """Every filter back to all: search, status, tier, date, and the project and session picked."""
        self.query_one("#search", Input).value = ""
        self.query_one("#since", Input).value = ""
        self.query_one("#status", Select).clear()
        self.query_one("#tier", Select).clear()
        self.slug, self.session, self.page = None, None, 0
        self.load(sessions=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.page = 0
        self.reload_runs()
        self.query_one("#runs", RunsTable).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.page = 0
        self.reload_runs()

    def on_runs_table_row_selected(self, event: RunsTable.RowSelected) -> None:
        if event.key in self.row_runs:
            self.app.open_record(*self.row_runs[event.key])
