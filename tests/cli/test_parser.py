"""The command table that lets each command import only its own module must match what the modules register."""

from __future__ import annotations

import argparse

from core.cli import COMMANDS, build_parser


def registered(argv: list[str]) -> set[str]:
    parser = build_parser(argv)
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(actions[0].choices)


def test_every_registered_command_is_in_the_table() -> None:
    assert registered([]) == set(COMMANDS)


def test_a_known_command_loads_only_its_own_module() -> None:
    assert registered(["--no-ui", "run", "--spec", "x"]) == {c for c, m in COMMANDS.items() if m == COMMANDS["run"]}
    assert "run" not in registered(["status", "--slug", "x"])
