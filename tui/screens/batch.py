"""Batch: pick a manifest or a folder of specs (typed, or chosen from a tree with Browse), set concurrency and a
budget, start it, and watch a live table of its items with totals; enter opens an item's run, cancel stops the
batch. Batches that other processes run (`dispatch batch` headless) are listed too, read from their trail every
second, and cancel asks their process to stop (`dispatch batch --cancel`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, Static

from core import offload
from core.batch import manifest, trail
from core.batch.runner import Batch, ItemView, Options
from core.config import Config
from core.errors import DispatchError
from tui.format import clip, money, seconds, tokens
from tui.screens.dashboard import NARROW, status_text
from tui.screens.file_picker import FilePickerScreen
from tui.widgets.footer import Footer
from tui.widgets.header import Header

if TYPE_CHECKING:
    from tui.app import DispatchApp

POLL_S = 1.0
"""How often batches of other processes are re-read from their trail."""
REDRAW_S = 0.25
"""How often the table of a batch running here is redrawn (changes are coalesced: 500 items change often)."""
BATCHES_SHOWN = 20


@dataclass(frozen=True)
class Row:
    """One item as the table shows it, from a batch running here or from another process's trail."""

    index: int
    status: str
    slug: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    elapsed_s: float | None = None
    run_id: str = ""

    def cells(self) -> tuple[str | Text, ...]:
        return (
            str(self.index),
            status_text(self.status),
            clip(self.slug, 32),
            self.model,
            f"{tokens(self.input_tokens)}/{tokens(self.output_tokens)}",
            money(self.cost_usd),
            "-" if self.elapsed_s is None else seconds(self.elapsed_s),
        )


def row_of_view(view: ItemView, now: float) -> Row:
    elapsed = view.elapsed_s if view.state == "finished" else (now - view.started if view.started else None)
    return Row(
        view.item.index,
        view.status or view.state,
        view.item.slug or "-",
        view.model or "-",
        view.input_tokens,
        view.output_tokens,
        view.cost_usd,
        elapsed,
        view.run_id,
    )


def row_of_record(item: manifest.Item, record: trail.ItemRecord | None, now: datetime) -> Row:
    if record is None:
        return Row(item.index, "pending", item.slug or "-", item.model or "-")
    if record.state == "started":
        try:
            elapsed: float | None = max(0.0, (now - datetime.fromisoformat(record.at)).total_seconds())
        except ValueError:
            elapsed = None
        status = "running"
    else:
        elapsed, status = record.duration_ms / 1000, record.status or record.state
    return Row(
        item.index,
        status,
        record.slug or item.slug or "-",
        record.model or "-",
        record.input_tokens,
        record.output_tokens,
        record.cost_usd,
        elapsed,
        record.run_id,
    )


def totals_line(rows: list[Row]) -> str:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    spent = sum(row.cost_usd or 0.0 for row in rows)
    used_in, used_out = sum(r.input_tokens for r in rows), sum(r.output_tokens for r in rows)
    states = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    return f"{len(rows)} items: {states}; {tokens(used_in)}+{tokens(used_out)} tokens, {money(spent)}"


def read_batches(here: str | None) -> list[tuple[str, str, str]]:
    """Each recent batch's id, state and item count, from its trail (runs in a thread). `here` is the batch
    this console runs, which is running whatever its trail says yet."""
    listed = []
    for each in trail.recent(limit=BATCHES_SHOWN):
        state = "running" if each.batch_id == here else each.state()
        listed.append((each.batch_id, state, str(each.meta().get("total") or "-")))
    return listed


def read_items(batch_id: str, now: datetime) -> list[Row]:
    """The items of a batch another process ran or runs, from its trail (runs in a thread)."""
    try:
        found = trail.BatchTrail.open(batch_id).snapshot()
    except DispatchError:
        return []
    return [row_of_record(item, record, now) for item, record in found]


def planned(config: Config, path: Path, options: Options) -> Batch:
    """The batch of `path`'s items, checked; recorded in its trail unless some item is rejected (runs in a
    thread)."""
    batch = Batch.plan(config, manifest.from_paths([str(path)]), options)
    if not batch.rejected:
        batch.start()
    return batch


class BatchScreen(Screen[None]):
    DEFAULT_CSS = """
    BatchScreen #batch-screen { height: 1fr; }
    BatchScreen #batch-form { height: auto; padding: 0 1; }
    BatchScreen #batch-form Input { width: 1fr; }
    BatchScreen #batch-form #batch-concurrency, BatchScreen #batch-form #batch-budget { width: 16; }
    BatchScreen #batch-form #batch-browse { min-width: 10; }
    BatchScreen #batch-body { height: 1fr; }
    BatchScreen #batch-list { width: 48; height: 1fr; }
    BatchScreen #batch-items { width: 1fr; height: 1fr; }
    BatchScreen #batch-totals { height: 1; padding: 0 1; color: $text-muted; }
    BatchScreen.-narrow #batch-form #batch-concurrency { width: 7; }
    BatchScreen.-narrow #batch-form #batch-budget { width: 14; }
    BatchScreen.-narrow #batch-form Button { min-width: 10; }
    BatchScreen.-narrow #batch-body { layout: vertical; }
    BatchScreen.-narrow #batch-list { width: 1fr; height: 6; }
    BatchScreen.-narrow #batch-totals { height: auto; max-height: 2; }
    """
    BINDINGS = [
        Binding("ctrl+o", "browse", "Browse", id="batch.browse"),
        Binding("ctrl+r", "start", "Start", id="batch.start"),
        Binding("x", "cancel", "Cancel", id="batch.cancel"),
        Binding("enter", "open", "Open run", id="batch.open", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.current_batch: Batch | None = None
        """The batch this console started, while it runs."""
        self.shown: str | None = None
        """The batch id whose items the table shows."""
        self.rows: list[Row] = []
        self.planning = False
        """A Start is being planned in a thread; a second Start waits for it."""
        self._changed = False

    @property
    def dispatch_app(self) -> DispatchApp:
        return cast("DispatchApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="batch-screen"):
            with Horizontal(id="batch-form"):
                # Hints short enough to read in full at 80 columns; the long form is each field's tooltip.
                yield Input(
                    placeholder="manifest or spec dir",
                    tooltip="a .jsonl / .csv manifest, or a folder of specs",
                    id="batch-source",
                )
                yield Button("Browse", id="batch-browse")
                yield Input(
                    "8", placeholder="8", tooltip="how many items run at once", id="batch-concurrency", type="integer"
                )
                yield Input(
                    placeholder="budget $",
                    tooltip="the most the batch may cost, in USD; no more items start past it",
                    id="batch-budget",
                    type="number",
                )
                yield Button("Start", id="batch-start", variant="primary")
                yield Button("Cancel", id="batch-cancel", variant="error")
            with Horizontal(id="batch-body"):
                yield DataTable(id="batch-list", cursor_type="row")
                yield DataTable(id="batch-items", cursor_type="row", zebra_stripes=True)
            yield Static("", id="batch-totals")
        yield Footer()

    def on_resize(self) -> None:
        """Below NARROW columns the form's fields shrink so the path keeps room, and the batch list sits above
        the items instead of beside them (at 80 columns the path field was 3 cells and the items cut off)."""
        self.set_class(self.size.width < NARROW, "-narrow")

    def on_mount(self) -> None:
        listing = self.query_one("#batch-list", DataTable)
        listing.border_title = "Batches"
        listing.add_columns("Batch", "Status", "Items")
        listing.show_horizontal_scrollbar = False
        items = self.query_one("#batch-items", DataTable)
        items.border_title = "Items"
        items.add_columns("#", "Status", "Project", "Model", "Tokens in/out", "Cost", "Elapsed")
        self.refresh_batches()
        self.set_interval(POLL_S, self.poll)
        self.set_interval(REDRAW_S, self._redraw)

    # --- choosing, starting and stopping -------------------------------------------------------

    @on(Button.Pressed, "#batch-browse")
    def action_browse(self) -> None:
        self.app.push_screen(FilePickerScreen(self.dispatch_app.cwd), self._chosen)

    def _chosen(self, path: Path | None) -> None:
        """Put the picked path in the source field, relative to the working directory when it is inside it."""
        if path is None:
            return
        cwd = self.dispatch_app.cwd
        shown = path.relative_to(cwd) if path.is_relative_to(cwd) else path
        self.query_one("#batch-source", Input).value = str(shown)

    @on(Button.Pressed, "#batch-start")
    def action_start(self) -> None:
        if self.current_batch is not None or self.planning:
            self.notify("a batch is already running here; cancel it first", severity="warning")
            return
        try:
            path, options = self._asked()
        except DispatchError as exc:
            self.notify(exc.one_line(), title="cannot start the batch", severity="error")
            return
        self.planning = True
        self._run(path, options)

    def _asked(self) -> tuple[Path, Options]:
        """The source and the options the form holds (read on the loop: widgets are not thread-safe)."""
        source = self.query_one("#batch-source", Input).value.strip()
        if not source:
            raise DispatchError("no manifest or folder given", "type a path in the first field")
        concurrency = self.query_one("#batch-concurrency", Input).value.strip() or "8"
        budget = self.query_one("#batch-budget", Input).value.strip()
        try:
            options = Options(
                concurrency=max(1, int(concurrency)),
                max_cost=float(budget) if budget else None,
                cwd=self.dispatch_app.cwd,
            )
        except ValueError:
            raise DispatchError(
                "concurrency must be a whole number and the budget a number of USD", "e.g. 8 and 2.50"
            ) from None
        path = Path(source).expanduser()
        return (path if path.is_absolute() else self.dispatch_app.cwd / path), options

    @work(exclusive=True, group="batch", name="batch", exit_on_error=False)
    async def _run(self, path: Path, options: Options) -> None:
        """Plan the batch (read the manifest and every spec, lint them) and record it in a thread, since a folder
        of specs is many file reads; then run it here."""
        try:
            batch = await offload.in_thread(lambda: planned(self.dispatch_app.config, path, options))
        except DispatchError as exc:
            self.notify(exc.one_line(), title="cannot start the batch", severity="error")
            return
        finally:
            self.planning = False
        if batch.rejected:
            first = batch.rejected[0]
            self.notify(
                f"{len(batch.rejected)} item(s) rejected, nothing sent; item {first.item.index} "
                f"({first.item.source}): {first.error}",
                title="batch rejected",
                severity="error",
                timeout=10,
            )
            return
        self.current_batch = batch
        self.shown = batch.start().batch_id
        self.refresh_batches()
        try:
            summary = await batch.run(on_change=self._mark_changed, on_notice=self._notice)
            self.notify(
                f"{summary['ok']} ok, {summary['failed']} failed, {summary['interrupted']} interrupted, "
                f"{summary['skipped']} skipped",
                title=f"batch {summary['batch_id']} ended",
            )
        finally:
            self.current_batch = None
            self.refresh_batches()
            self.show_items()

    def _mark_changed(self, view: ItemView) -> None:
        self._changed = True

    def _redraw(self) -> None:
        if self._changed:
            self._changed = False
            self.show_items()

    def _notice(self, message: str) -> None:
        self.notify(message, severity="warning")

    @on(Button.Pressed, "#batch-cancel")
    def action_cancel(self) -> None:
        """Stop the batch running here; else ask the process running the shown one to stop, as its ctrl+c would."""
        if self.current_batch is not None:
            self.current_batch.cancel("cancelled")
            return
        if self.shown is None:
            self.notify("no batch is running here or shown", severity="warning")
            return
        self._cancel_elsewhere(self.shown)

    @work(group="cancel-batch", exit_on_error=False)
    async def _cancel_elsewhere(self, batch_id: str) -> None:
        shown = trail.BatchTrail.open(batch_id)
        if (state := await offload.in_thread(shown.state)) != "running":
            self.notify(f"{batch_id} is not running (it is {state})", severity="warning")
            return
        await offload.in_thread(shown.request_cancel)
        self.notify(f"asked the process running {batch_id} to stop; its items end interrupted")

    # --- what the tables show ------------------------------------------------------------------

    def poll(self) -> None:
        self.refresh_batches(then_items=self.current_batch is None)

    def _here(self) -> str | None:
        """The id of the batch running in this console, if one is."""
        batch = self.current_batch
        return batch.trail.batch_id if batch is not None and batch.trail is not None else None

    @work(exclusive=True, group="load-batches", exit_on_error=False)
    async def refresh_batches(self, then_items: bool = False) -> None:
        """Read the trails in a thread, then draw the list (the first batch is shown if none was); with
        `then_items`, the shown batch's items too."""
        here = self._here()
        found = await offload.in_thread(lambda: read_batches(here))
        listing = self.query_one("#batch-list", DataTable)
        listing.clear()
        for batch_id, state, total in found:
            listing.add_row(clip(batch_id, 26), status_text(state), total, key=batch_id)
        if self.shown is None and found:
            self.shown = found[0][0]
            then_items = True
        if then_items:
            self.show_items()

    @on(DataTable.RowSelected, "#batch-list")
    def pick_batch(self, event: DataTable.RowSelected) -> None:
        self.shown = str(event.row_key.value)
        self.show_items()

    def show_items(self) -> None:
        """The shown batch's items: from memory for the batch running here, else read from its trail."""
        batch = self.current_batch
        if batch is not None and self.shown is not None and self._here() == self.shown:
            now = self.dispatch_app.clock()
            self._draw_items([row_of_view(view, now) for view in batch.views])
        else:
            self.load_items()

    @work(exclusive=True, group="load-batch-items", exit_on_error=False)
    async def load_items(self) -> None:
        shown, wall = self.shown, self.dispatch_app.now()
        rows = await offload.in_thread(lambda: read_items(shown, wall)) if shown else []
        if self.shown == shown:
            self._draw_items(rows)

    def _draw_items(self, rows: list[Row]) -> None:
        self.rows = rows
        table = self.query_one("#batch-items", DataTable)
        cursor = table.cursor_row
        table.clear()
        for row in rows:
            table.add_row(*row.cells(), key=str(row.index))
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))
        self.query_one("#batch-totals", Static).update(self._totals(rows))

    def _totals(self, rows: list[Row]) -> str:
        if not rows:
            return "no batch yet: give a manifest or a folder of specs and press Start"
        batch = self.current_batch
        if batch is not None and batch.trail is not None and batch.trail.batch_id == self.shown:
            return f"{self.shown}: {batch.totals().line()}"
        return f"{self.shown}: {totals_line(rows)}"

    def action_open(self) -> None:
        table = self.query_one("#batch-items", DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return
        row = self.rows[table.cursor_row]
        if not row.run_id or row.slug == "-":
            self.notify(f"item {row.index} has no run yet", severity="warning")
            return
        self.dispatch_app.open_record(row.slug, row.run_id)

    @on(DataTable.RowSelected, "#batch-items")
    def open_selected(self) -> None:
        self.action_open()
