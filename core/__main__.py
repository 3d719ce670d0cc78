"""`python -m core` is the `dispatch` command, for environments where the script is not on PATH."""

from core.cli import run

run()
