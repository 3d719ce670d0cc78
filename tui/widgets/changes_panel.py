"""What an agent run changed in its worktree of the user's repo: the files with +/- counts and the diff, each
file's code highlighted in its language (tui/widgets/diff_style.py), with merge and drop a key away (each
confirmed, each outcome shown).

It reads and acts only through core/changes.py, the functions `dispatch diff / merge / drop` use, so the console
and the CLI cannot disagree. The diff is drawn through Textual's line API (DiffView renders only the lines on
screen, each once), so a 5,000-line diff opens and scrolls as fast as a short one (benchmarks/console_diff.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Size
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import DataTable, Static

from core import changes
from core.audit.store import Project
from core.errors import DispatchError
from tui.screens.confirm import ConfirmScreen
from tui.widgets.diff_style import DiffStyle, files_of


class DiffView(ScrollView, can_focus=True):
    """A diff of any length, drawn a screen at a time: only the lines in view are rendered."""

    DEFAULT_CSS = "DiffView { height: 1fr; }"

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.lines: list[str] = []
        self._files: list[str | None] = []
        self._strips: dict[int, Strip] = {}
        self._style: DiffStyle | None = None

    def on_mount(self) -> None:
        self.watch(self.app, "theme", self._restyle, init=False)

    def _restyle(self) -> None:
        self._style = None
        self._strips.clear()
        self.refresh()

    def show(self, text: str) -> None:
        self.lines = [line.expandtabs(4) for line in text.splitlines()] or ["no changes"]
        self._files = files_of(self.lines)
        self._strips.clear()
        self.virtual_size = Size(max(map(len, self.lines)), len(self.lines))
        self.scroll_home(animate=False)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width, base = self.size.width, self.rich_style
        if index >= len(self.lines):
            return Strip.blank(width, base)
        strip = self._strips.get(index)
        if strip is None:
            if self._style is None:
                self._style = DiffStyle(self.app.current_theme)
            strip = self._strips[index] = Strip(self._style.segments(self.lines[index], self._files[index]))
        fill = self._style.tint(self.lines[index]) if self._style else None
        return strip.crop(scroll_x, scroll_x + width).extend_cell_length(width, fill).apply_style(base)


class ChangesPanel(Vertical):
    DEFAULT_CSS = """
    ChangesPanel { height: 2fr; display: none; border: round $primary; }
    ChangesPanel #changes-summary { height: 1; padding: 0 1; }
    ChangesPanel #changed-files { height: auto; max-height: 8; }
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.slug: str | None = None
        self.run_id: str | None = None
        self.branch: str | None = None
        self.state = "none"
        """none, review, merged or dropped: what the keys may still do."""

    def compose(self) -> ComposeResult:
        yield Static(id="changes-summary")
        yield DataTable(id="changed-files", cursor_type="row", zebra_stripes=True)
        yield DiffView(id="diff")

    def on_mount(self) -> None:
        self.border_title = "Changes"
        self.query_one(DataTable).add_columns("File", "Status", "+", "-")

    @staticmethod
    def applies(envelope_changes: dict[str, Any] | None) -> bool:
        """Whether the run worked in a worktree, so there are changes to show."""
        return bool(envelope_changes) and "files" in (envelope_changes or {})

    def show_run(self, slug: str, run_id: str, envelope_changes: dict[str, Any] | None) -> None:
        """Load the run's changes when it worked in a worktree; stays hidden otherwise."""
        if not self.applies(envelope_changes):
            return
        self.slug, self.run_id = slug, run_id
        self.display = True
        self.load()

    @work(exclusive=True, group="changes-load", exit_on_error=False)
    async def load(self) -> None:
        if self.slug is None:
            return
        project = Project.at(self.slug)

        def read() -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
            """The diff, and what was done with each branch (merged, dropped): both read from disk."""
            return changes.diff(project, self.run_id), changes.states(project)

        try:
            shown, states = await asyncio.to_thread(read)
        except (DispatchError, OSError) as exc:
            self.query_one("#changes-summary", Static).update(Text(str(exc), style="red"))
            return
        summary = shown["changes"] or {}
        self.branch = shown["branch"]
        done = states.get(self.branch, {}).get("action")
        self.state = {"merged": "merged", "dropped": "dropped"}.get(
            str(done), "review" if summary.get("files") else "none"
        )
        table = self.query_one(DataTable)
        table.clear()
        for entry in summary.get("files") or []:
            table.add_row(
                entry["path"],
                entry["status"],
                Text(f"+{entry['insertions']}", style="green"),
                Text(f"-{entry['deletions']}", style="red"),
            )
        self.query_one(DiffView).show(shown["text"])
        self._summarise(summary)
        self.screen.refresh_bindings()

    def _summarise(self, summary: dict[str, Any]) -> None:
        keys = {
            "review": "m merge · d drop · r resume with feedback",
            "merged": "merged · d drop the worktree",
            "dropped": "dropped (the patch is kept in the trail)",
            "none": "nothing changed · d drop",
        }[self.state]
        self.query_one("#changes-summary", Static).update(
            Text.assemble(
                (f"{self.branch}", "bold"),
                f"  {len(summary.get('files') or [])} files ",
                (f"+{summary.get('insertions', 0)}", "green"),
                " ",
                (f"-{summary.get('deletions', 0)}", "red"),
                (f"   {keys}", "dim"),
            )
        )

    def allows(self, action: str) -> bool:
        """Whether `merge` or `drop` applies now: merge to changes still under review, drop to a worktree of a
        shown run that is not dropped yet. The screens show and run the m and d keys only then."""
        if action == "merge":
            return self.state == "review"
        return self.slug is not None and self.state != "dropped"

    def merge(self) -> None:
        self.app.push_screen(
            ConfirmScreen(f"Merge {self.branch} into your repo's current branch?", "Merge"), self._on_yes("merge")
        )

    def drop(self) -> None:
        self.app.push_screen(
            ConfirmScreen(f"Drop {self.branch}: remove its worktree and branch?", "Drop"), self._on_yes("drop")
        )

    def _on_yes(self, action: str) -> Callable[[bool | None], None]:
        """The confirm screen's callback: `action` runs only on yes."""

        def then(yes: bool | None) -> None:
            if yes:
                self._act(action)

        return then

    @work(exclusive=True, group="changes-act", exit_on_error=False)
    async def _act(self, action: str) -> None:
        project = Project.at(self.slug or "")
        try:
            if action == "merge":
                outcome = await asyncio.to_thread(changes.merge, project, self.run_id)
                said = f"merged {outcome['branch']} ({outcome['mode']})" if outcome["merged"] else "already merged"
            else:
                outcome = await asyncio.to_thread(changes.drop, project, self.run_id)
                said = f"dropped {outcome['branch']}"
        except DispatchError as exc:
            self.app.notify(exc.one_line(), title=f"{action} failed; nothing was changed", severity="error", timeout=12)
            return
        self.app.notify(said, title=action)
        self.load()


def changes_allow(screen: Screen[Any], action: str) -> bool:
    """A screen's check_action for the changes keys (m merge, d drop): True when its ChangesPanel allows the
    action, so the footer shows the key, False to hide it; True for any other action, which is not ours."""
    if action not in ("merge", "drop"):
        return True
    panels = screen.query(ChangesPanel)
    return bool(panels) and panels.first().allows(action)
