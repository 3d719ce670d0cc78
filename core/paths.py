"""Every on-disk location in one place, each relocatable by one environment variable.

DISPATCH_HOME moves the config (default $XDG_CONFIG_HOME/dispatch, else ~/.config/dispatch);
DISPATCH_PROJECTS_DIR moves the audit trail (default ~/dispatch-projects), DISPATCH_MODELS_DIR the joined weights.
"""

from __future__ import annotations

import os
from pathlib import Path


def dispatch_home() -> Path:
    if home := os.environ.get("DISPATCH_HOME"):
        return Path(home).expanduser()
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    return base / "dispatch"


def config_path() -> Path:
    return dispatch_home() / "config.toml"


def state_dir() -> Path:
    """Runtime state that is not configuration: the local model server's pid and port, refused dispatches."""
    return dispatch_home() / "state"


def models_dir() -> Path:
    """Model weights dispatch joined itself (the built-in model, from its registry part packages); DISPATCH_MODELS_DIR
    moves them, so several homes (or a test suite) share one copy."""
    if models := os.environ.get("DISPATCH_MODELS_DIR"):
        return Path(models).expanduser()
    return dispatch_home() / "models"


def projects_dir() -> Path:
    return Path(os.environ.get("DISPATCH_PROJECTS_DIR") or Path.home() / "dispatch-projects").expanduser()


def index_path() -> Path:
    """The full-text index lives beside the projects it indexes, never inside one."""
    return projects_dir() / ".dispatch-index.sqlite3"
