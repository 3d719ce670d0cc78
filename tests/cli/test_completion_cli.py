"""`dispatch completion`: the bash script loaded in a real bash completes commands, flags, a project's slug and
run ids, and the config's models and tiers, from a trail made through the real CLI (the fake OpenAI server on
127.0.0.1)."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import GOOD_SPEC, ROOT, dispatch, write


def complete_in_bash(script: str, line: list[str]) -> list[str]:
    """What the loaded script offers for the last word of `line`, as bash's own completion machinery calls it."""
    words = " ".join(shlex.quote(word) for word in ["dispatch", *line])
    program = (
        f'dispatch() {{ {shlex.quote(sys.executable)} -m core "$@"; }}\n{script}\n'
        f"COMP_WORDS=({words}); COMP_CWORD={len(line)}\n"
        "$(complete -p dispatch | sed -E 's/.*-F ([^ ]+).*/\\1/')\n"
        "printf '%s\\n' \"${COMPREPLY[@]}\"\n"
    )
    proc = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", program],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    return [word for word in proc.stdout.splitlines() if word]


def test_the_bash_script_completes_commands_flags_slugs_and_run_ids(tmp_path: Path) -> None:
    with FakeOpenAI() as api:
        made = dispatch(
            "run",
            "--spec",
            str(write(tmp_path / "task.md", GOOD_SPEC)),
            "--slug",
            "release-notes",
            "--json",
            env={"DISPATCH_BASE_URL": api.base_url, "DISPATCH_MODEL": "fake"},
        )
    assert made.code == 0, made.stderr
    generated = dispatch("completion", "bash")
    assert generated.code == 0, generated.stderr
    script = generated.stdout

    assert {"show", "status", "search", "sessions", "spec"} <= set(complete_in_bash(script, ["s"]))
    assert complete_in_bash(script, ["status", "--sl"]) == ["--slug"]
    assert complete_in_bash(script, ["runs", "--slug", "rel"]) == ["release-notes"]
    assert complete_in_bash(script, ["list", "--sort", ""]) == ["cost", "name", "updated"]
    assert complete_in_bash(script, ["show", "--slug", "release-notes", ""]) == [made.json()["run_id"]]
    assert complete_in_bash(script, ["completion", "z"]) == ["zsh"]


def test_models_and_tiers_come_from_the_config(isolated: Path) -> None:
    write(
        isolated / "home" / "config.toml",
        '[models.worker]\nbackend = "openai"\nbase_url = "http://127.0.0.1:9/v1"\n'
        'model = "w"\n\n[tiers.cheap]\nmodels = ["worker"]\n',
    )
    script = dispatch("completion", "bash").stdout
    assert "worker" in complete_in_bash(script, ["run", "--model", "w"])
    assert complete_in_bash(script, ["run", "--tier", "ch"]) == ["cheap"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_every_shell_gets_a_script_that_calls_the_completer(shell: str) -> None:
    result = dispatch("completion", shell)
    assert result.code == 0 and "dispatch completion --complete" in result.stdout


def test_no_shell_or_an_unknown_one_is_one_line() -> None:
    for argv in ([], ["tcsh"]):
        result = dispatch("completion", *argv)
        assert result.code == 2 and result.stdout == "" and len(result.stderr.strip().splitlines()) == 1


def test_the_auditors_commands_and_their_flags_are_offered(tmp_path: Path) -> None:
    with FakeOpenAI() as api:
        made = dispatch(
            "run",
            "--spec",
            str(write(tmp_path / "task.md", GOOD_SPEC)),
            "--slug",
            "kept",
            "--json",
            env={"DISPATCH_BASE_URL": api.base_url},
        )
    assert made.code == 0, made.stderr
    script = dispatch("completion", "bash").stdout
    assert {"audit", "export", "prune", "rm"} <= set(complete_in_bash(script, [""]))
    assert complete_in_bash(script, ["audit", ""]) == ["verify"]
    assert complete_in_bash(script, ["audit", "verify", "--s"]) == ["--slug"]
    assert complete_in_bash(script, ["export", "--format", ""]) == ["jsonl", "md", "tar"]
    assert complete_in_bash(script, ["rm", "--slug", "k"]) == ["kept"]
    assert complete_in_bash(script, ["prune", "--k"]) == ["--keep-last"]
    assert complete_in_bash(script, ["prune", "--o"]) == ["--older-than"]
