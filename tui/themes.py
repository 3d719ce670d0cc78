"""Built-in themes are data (themes/*.toml at the repository root), so adding one is a file, not code."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from textual.theme import Theme

from themes import THEMES_DIR

_FIELDS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "success",
    "warning",
    "error",
    "boost",
)


def load_themes(directory: Path = THEMES_DIR) -> list[Theme]:
    """Every readable theme file, by file name; a broken file is skipped rather than stopping the console."""
    themes = []
    for path in sorted(directory.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            colours: dict[str, Any] = {key: str(data[key]) for key in _FIELDS if key in data}
            themes.append(Theme(name=str(data.get("name") or path.stem), dark=bool(data.get("dark", True)), **colours))
        except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError):
            continue
    return themes
