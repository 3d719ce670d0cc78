"""The command palette: every action of the console, by name, from anywhere (ctrl+p)."""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.widget import Widget

APP_ACTIONS = (
    ("Go to dashboard", "go('dashboard')", "projects, running dispatches and the escalation inbox"),
    ("Go to spec editor", "go('editor')", "write a spec with the checklist beside it"),
    ("Go to audit browser", "go('audit')", "projects, sessions and runs; search and filters"),
    ("Go to settings", "go('settings')", "models, tiers, theme, defaults"),
    ("Go to batch", "go('batch')", "run a manifest or a folder of specs at once; watch batches run"),
    ("Quit", "quit", "leave the console; running dispatches are cancelled and recorded as interrupted"),
)
SCREEN_ACTIONS = {
    "DashboardScreen": (
        ("New spec", "new_spec", "open the spec editor"),
        ("Batch", "batch", "run many specs at once, or watch a batch run"),
        ("Open selected", "open", "the project in the audit browser, the running dispatch, or the inbox item"),
        ("Escalate inbox item", "escalate", "to a higher tier, or back to the primary with a reason"),
        ("Refresh dashboard", "refresh", "reload projects and the inbox from the index"),
    ),
    "EditorScreen": (
        ("Open spec file", "open", "load a spec from the path field"),
        ("Save spec file", "save", "write the spec to the path field"),
        ("Pick tier", "pick_tier", "task type, tier and model for this spec"),
        ("Dispatch", "dispatch", "send the spec (disabled while checklist errors stand)"),
        ("Force dispatch", "force", "send despite checklist errors, after confirming; recorded"),
        ("Next finding", "next_finding", "jump to the next checklist finding's line"),
    ),
    "RunViewScreen": (
        ("Cancel run", "cancel", "stop the running dispatch; the record says interrupted"),
        ("Resume run", "resume", "continue the finished run with a new prompt"),
        ("Review run", "review", "ask for a verdict on the result against its spec"),
        ("Escalate run", "escalate", "to a higher tier, or back to the primary with a reason"),
        ("Open run record", "open_record", "the run's spec, envelope, result and events"),
        ("Merge changes", "merge", "land an agent run's changes on your repo's current branch, after confirming"),
        ("Drop changes", "drop", "remove an agent run's worktree and branch, after confirming"),
        ("Fix contract", "contract_fix", "resume with the Output contract's failed checks pasted"),
        ("Accept anyway", "accept", "take an answer that broke its Output contract; recorded as your call"),
        ("Back", "back", "leave the run view; the dispatch carries on"),
    ),
    "RunDetailScreen": (
        ("Review run", "review", "ask for a verdict on the result against its spec"),
        ("Escalate run", "escalate", "to a higher tier, or back to the primary with a reason"),
        ("Resume run", "resume", "continue the run's session with feedback (an agent in its own worktree)"),
        ("Merge changes", "merge", "land an agent run's changes on your repo's current branch, after confirming"),
        ("Drop changes", "drop", "remove an agent run's worktree and branch, after confirming"),
        ("Fix contract", "contract_fix", "resume with the Output contract's failed checks pasted"),
        ("Accept anyway", "accept", "take an answer that broke its Output contract; recorded as your call"),
        ("Back", "back", "close the record"),
    ),
    "AuditScreen": (
        ("Search runs", "focus_search", "full-text search through the index"),
        ("Next page of runs", "next_page", "page through the run list"),
        ("Previous page of runs", "previous_page", "page through the run list"),
        ("Clear filters", "clear_filters", "search, status, tier and date back to all"),
        ("Refresh runs", "refresh", "reload from the index"),
    ),
    "BatchScreen": (
        ("Browse for batch source", "browse", "choose a manifest, a spec or a folder of specs from a tree"),
        ("Start batch", "start", "run the manifest or folder in the first field"),
        ("Cancel batch", "cancel", "stop launching and interrupt the items in flight"),
        ("Open batch item", "open", "the selected item's run record"),
    ),
    "FilePickerScreen": (
        ("Choose highlighted", "choose", "the highlighted file or folder as the batch's source"),
        ("Cancel picking", "cancel", "close the picker, keeping the source field as it was"),
    ),
    "SettingsScreen": (
        ("Save settings", "save", "write config.toml"),
        ("Revert settings", "revert", "back to what config.toml says"),
    ),
}
"""Each screen's own actions, by screen class name, so the palette offers only what the showing screen does."""


class DispatchCommands(Provider):
    """App actions always; a screen's own actions when that screen is showing."""

    def _commands(self) -> list[tuple[str, str, str, App[Any] | Widget]]:
        found: list[tuple[str, str, str, App[Any] | Widget]] = [
            (name, action, help, self.app) for name, action, help in APP_ACTIONS
        ]
        for name, action, help in SCREEN_ACTIONS.get(type(self.screen).__name__, ()):
            found.append((name, action, help, self.screen))
        return found

    async def discover(self) -> Hits:
        for name, action, help, target in self._commands():
            yield DiscoveryHit(name, partial(target.run_action, action), help=help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help, target in self._commands():
            if (score := matcher.match(name)) > 0:
                yield Hit(score, matcher.highlight(name), partial(target.run_action, action), help=help)
