"""Bad input ends in one line and the right exit code, soon: a huge spec, a source without end (/dev/zero as the
spec, a manifest, the config or an input file; a FIFO among the inputs), a long path component, a config nested a
thousand deep, and the console asked for with no terminal."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

from core import inputs
from core import spec as specs
from core.redact import Redactor
from tests.helpers import GOOD_SPEC, ROOT, dispatch, write

HANG_GUARD = 120
"""Seconds after which a command counts as hung (the subprocess is killed and the test fails); not a timing."""


def test_a_10_mb_spec_is_refused_with_one_finding(isolated: Path) -> None:
    huge = write(isolated / "huge.md", GOOD_SPEC + "\n".join(f"line {n} of padding" for n in range(600_000)))
    assert huge.stat().st_size > 10_000_000
    result = dispatch("lint", "--spec", str(huge), "--json", timeout=HANG_GUARD)
    findings = result.json()["findings"]
    assert result.code == 3 and [f["rule"] for f in findings] == ["too-large"]
    assert f"{specs.MAX_SPEC_CHARS:,}" in findings[0]["message"]


def test_a_spec_without_end_is_refused_in_one_line(isolated: Path) -> None:
    os.symlink("/dev/zero", isolated / "endless.md")
    for args, stdin in (
        (("run", "--spec", "/dev/zero"), None),
        (("lint", "--spec", "-"), Path("/dev/zero")),
        (("run", "--spec", str(isolated / "endless.md"), "--json"), None),
    ):
        result = dispatch(*args, stdin=stdin, timeout=HANG_GUARD)
        assert result.code == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert f"is over {specs.SPEC_READ_BYTES // 2**20} MB" in result.stderr and "Traceback" not in result.stderr
    batch = dispatch("batch", str(isolated / "endless.md"), timeout=HANG_GUARD)
    assert batch.code == 3 and "over 16 MB" in batch.stderr, "a batch item without end is a rejected item"


def test_a_manifest_or_config_without_end_is_an_error_not_a_hang(isolated: Path) -> None:
    os.symlink("/dev/zero", isolated / "endless.jsonl")
    manifest = dispatch("batch", str(isolated / "endless.jsonl"), timeout=HANG_GUARD)
    assert manifest.code == 2 and "is over 256 MB" in manifest.stderr, manifest.stderr
    (isolated / "home").mkdir(exist_ok=True)
    os.symlink("/dev/zero", isolated / "home" / "config.toml")
    config = dispatch("models", timeout=HANG_GUARD)
    assert config.code == 2 and "over 1 MB" in config.stderr and len(config.stderr.strip().splitlines()) == 1


def test_a_spec_or_config_that_is_a_fifo_with_no_writer_is_read_as_empty_not_waited_on(isolated: Path) -> None:
    os.mkfifo(isolated / "spec.md")  # nobody will ever write to it: an open() that waits for a writer hangs
    result = dispatch("lint", "--spec", str(isolated / "spec.md"), timeout=HANG_GUARD)
    assert result.code == 2 and "empty" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    (isolated / "home").mkdir(exist_ok=True)
    os.mkfifo(isolated / "home" / "config.toml")
    assert dispatch("models", timeout=HANG_GUARD).code == 0, "an empty config is the defaults"


def test_a_spec_from_a_pipe_with_a_writer_is_read(isolated: Path) -> None:
    """`--spec <(make-spec)`: the shell hands over a pipe its writer holds open, read as any file."""
    spec = write(isolated / "task.md", GOOD_SPEC)
    command = f"{shlex.quote(sys.executable)} -m core lint --spec <(cat {shlex.quote(str(spec))}) --json"
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, cwd=ROOT, timeout=HANG_GUARD)
    assert result.returncode == 0 and json.loads(result.stdout)["findings"] == [], result.stderr


def test_an_input_that_is_a_fifo_or_device_is_refused_unread(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")  # no writer: reading it would block forever
    gathered = inputs.gather(
        GOOD_SPEC.replace("1. Faster start-up.", "Read pipe.txt. 1. Faster start-up."), tmp_path, Redactor()
    )
    assert [f.rule for f in gathered.findings] == ["input-not-a-file"] and not gathered.files


def test_one_long_inputs_line_of_paths_lints_in_linear_time(isolated: Path) -> None:
    """360 KB of paths on one Inputs line: one '://' check per line, not per path (200 KB took 18 s, so this one
    took about a minute and hits the guard)."""
    paths = " ".join(f"src/m{n}.py" for n in range(30_000))
    spec = write(isolated / "task.md", GOOD_SPEC.replace("1. Faster start-up.", f"Files: {paths} 1. Faster start-up."))
    assert spec.stat().st_size < specs.MAX_SPEC_CHARS
    result = dispatch("lint", "--spec", str(spec), "--cwd", str(isolated), "--json", timeout=30)
    assert result.code == 3 and sum(f["rule"] == "missing-input" for f in result.json()["findings"]) == 30_000


def test_an_inputs_section_naming_many_things_over_a_block_lints_in_linear_time(isolated: Path) -> None:
    """12,000 Inputs lines that each name a thing, over a pasted block: whether the spec points at each thing
    with a demonstrative is looked up, not a scan of every line per line (1,000 such lines took 5 s, so these
    took minutes and hit the guard)."""
    body = "\n".join(f"- The sales notes from these notes {n}" for n in range(12_000)) + "\n```\nQ3 up 4%\n```"
    spec = write(
        isolated / "task.md", GOOD_SPEC.replace("1. Faster start-up. 2. A new audit browser. 3. Fewer crashes.", body)
    )
    assert spec.stat().st_size < specs.MAX_SPEC_CHARS
    result = dispatch("lint", "--spec", str(spec), "--json", timeout=HANG_GUARD)
    assert result.code == 0 and not result.json()["findings"], result.stdout[:500]


def test_a_long_section_parses_in_linear_time() -> None:
    body = "\n".join(f"point {n}" for n in range(150_000))
    parsed = specs.parse(f"## Goal\nDo the thing for the test.\n## Inputs\n{body}\n## Output\nJSON\n")
    assert parsed.get("inputs").count("\n") == 149_999 and parsed.get("output") == "JSON"


def test_a_300_character_path_component_is_a_finding_not_a_crash(isolated: Path) -> None:
    long_name = "d" * 300
    spec = write(isolated / "task.md", GOOD_SPEC.replace("1. Faster start-up.", f"See {long_name}/notes.md. 1."))
    result = dispatch("lint", "--spec", str(spec), "--cwd", str(isolated), "--json")
    findings = result.json()["findings"]
    assert result.code == 3 and result.json()["ok"] is False, result.stdout
    assert [f["rule"] for f in findings] == ["missing-input"] and "cannot be checked" in findings[0]["message"]
    assert "Traceback" not in result.stderr and "DISPATCH_HOME" not in result.stderr


def test_a_config_nested_a_thousand_deep_is_a_config_error(isolated: Path) -> None:
    write(isolated / "home" / "config.toml", "[defaults]\ntheme = " + "[" * 1000 + "]" * 1000 + "\n")
    result = dispatch("models", "--json")
    assert result.code == 2 and "nested too deeply" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert json.loads(result.stdout)["reason"] == "config"


def test_ui_with_no_terminal_refuses_in_one_line(isolated: Path) -> None:
    for args in (("--no-ui", "ui"), ("ui",)):
        result = dispatch(*args, timeout=HANG_GUARD)
        assert result.code == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""
