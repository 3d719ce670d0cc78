"""The built-in themes, as data files beside this marker (one TOML file each), shipped as package data so a
non-editable install carries them too. The console's loader is tui/themes.py."""

from pathlib import Path

THEMES_DIR = Path(__file__).resolve().parent
