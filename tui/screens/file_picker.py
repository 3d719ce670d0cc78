"""Source picker: choose a batch's manifest (.jsonl, .csv), a spec, or a folder of specs from a tree of the
working directory, so a person finds the file instead of typing its path.

A file is chosen by selecting it (enter or a click); a folder, or whatever is highlighted, by Choose.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Label

from core.batch.manifest import SPEC_SUFFIXES

MANIFEST_SUFFIXES = (".jsonl", ".csv")


class SourceTree(DirectoryTree):
    """Folders and the files a batch can read (manifests and specs); hidden entries are left out."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [
            path
            for path in paths
            if not path.name.startswith(".")
            and (path.is_dir() or path.suffix.lower() in (*MANIFEST_SUFFIXES, *SPEC_SUFFIXES))
        ]


class FilePickerScreen(ModalScreen[Path | None]):
    DEFAULT_CSS = """
    FilePickerScreen SourceTree { height: 1fr; min-height: 3; margin-bottom: 1; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("ctrl+s", "choose", "Choose", id="picker.choose"),
    ]

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label("Choose a manifest (.jsonl, .csv), a spec, or a folder of specs", classes="title")
            yield SourceTree(self.root, id="picker-tree")
            with Horizontal(classes="buttons"):
                yield Button("Choose", variant="primary", id="picker-choose")
                yield Button("Cancel", id="picker-cancel")

    def on_mount(self) -> None:
        tree = self.query_one(SourceTree)
        tree.root.set_label(self.root.name or str(self.root))
        tree.focus()

    @on(DirectoryTree.FileSelected)
    def file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.dismiss(event.path)

    @on(Button.Pressed, "#picker-choose")
    def action_choose(self) -> None:
        node = self.query_one(SourceTree).cursor_node
        self.dismiss(node.data.path if node is not None and node.data is not None else self.root)

    @on(Button.Pressed, "#picker-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
