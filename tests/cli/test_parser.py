"""The command table that lets each command import only its own module must match what the modules register."""

from __future__ import annotations

import argparse

import pytest

from core.cli import COMMANDS, build_parser
from core.errors import UsageError


def registered(argv: list[str]) -> set[str]:
    parser = build_parser(argv)
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(actions[0].choices)


def test_every_registered_command_is_in_the_table() -> None:
    assert registered([]) == set(COMMANDS)


def test_a_known_command_loads_only_its_own_module() -> None:
    assert registered(["--no-ui", "run", "--spec", "x"]) == {c for c, m in COMMANDS.items() if m == COMMANDS["run"]}
    assert "run" not in registered(["status", "--slug", "x"])


@pytest.mark.parametrize(
    "argv, flag",
    [
        (["list", "--limit", "-1"], "--limit"),
        (["runs", "--slug", "s", "--limit", "0"], "--limit"),
        (["search", "x", "--limit", "²"], "--limit"),
        (["run", "--max-steps", "1.5"], "--max-steps"),
        (["run", "--max-fetches", "-2"], "--max-fetches"),
        (["list", "--limit", "99999999999999999999999"], "--limit"),
        (["runs", "--slug", "s", "--limit", "1000000001"], "--limit"),
    ],
)
def test_count_flags_share_one_check_and_one_message(argv: list[str], flag: str) -> None:
    with pytest.raises(UsageError) as caught:
        build_parser(argv).parse_args(argv)
    assert f"argument {flag}: expected a whole number from" in caught.value.message


def test_a_dashed_word_where_a_value_goes_says_how_to_pass_it(capsys: pytest.CaptureFixture[str]) -> None:
    from core.cli import main

    assert main(["search", "-start"]) == 2
    error = capsys.readouterr().err
    assert "'-start' was read as an option" in error and "`dispatch search -- -start`" in error
    assert len(error.strip().splitlines()) == 1
    assert main(["search"]) == 2
    assert "read as an option" not in capsys.readouterr().err
