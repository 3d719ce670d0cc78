"""The headless front door as an agent uses it: a subprocess, stdout for data, stderr for diagnostics."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.fsutil import TEMP_MARK
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import GOOD_SPEC, ROOT, dispatch, write

ENVELOPE_KEYS = {
    "run_id",
    "slug",
    "backend",
    "model",
    "tier",
    "task_type",
    "status",
    "result",
    "session_id",
    "usage",
    "cost_usd",
    "duration_ms",
    "num_turns",
    "attempts",
    "findings",
    "audit_path",
    "error",
}


@pytest.fixture
def server():
    with FakeOpenAI([Reply(text="Three points, one sentence.", chunks=3)]) as fake:
        yield fake


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    return write(tmp_path / "task.md", GOOD_SPEC)


def env(server: FakeOpenAI, **extra: str) -> dict[str, str]:
    return {"DISPATCH_BASE_URL": server.base_url, **extra}


def test_text_mode_streams_answer_to_stdout_only(server: FakeOpenAI, spec: Path) -> None:
    result = dispatch("run", "--spec", str(spec), "--slug", "demo", env=env(server))
    assert result.code == 0, result.stderr
    assert result.stdout == "Three points, one sentence.\n"
    assert "demo -> default" in result.stderr and "record " in result.stderr


def test_json_mode_prints_one_envelope(server: FakeOpenAI, spec: Path, projects_dir: Path) -> None:
    result = dispatch("--no-ui", "run", "--spec", str(spec), "--slug", "demo", "--json", env=env(server))
    assert result.code == 0, result.stderr
    envelope = result.json()
    assert set(envelope) >= ENVELOPE_KEYS
    assert envelope["status"] == "ok" and envelope["result"] == "Three points, one sentence."
    assert envelope["usage"] == {"input_tokens": 12, "output_tokens": 7}
    assert envelope["tier"] == "general" and envelope["task_type"] == "general"
    logs = projects_dir / "demo" / ".dispatch-logs"
    assert Path(envelope["audit_path"]).parent == logs
    record = json.loads(Path(envelope["audit_path"]).read_text())
    assert record["spec"] == GOOD_SPEC and record["request"]["base_url"] == server.base_url
    assert record["attempts"][0]["status"] == "ok" and "data: [DONE]" in record["raw"]
    events = [json.loads(line) for line in (logs / f"{envelope['run_id']}-events.jsonl").read_text().splitlines()]
    assert events[0]["type"] == "RunStarted" and events[-1]["type"] == "Finished"
    assert "".join(e["text"] for e in events if e["type"] == "TextDelta") == envelope["result"]
    meta = json.loads((logs / "project.json").read_text())
    assert meta["slug"] == "demo" and meta["counts"]["runs"] == 1 and meta["counts"]["ok"] == 1
    assert meta["last_work_run"] == envelope["run_id"] and meta["last_session_id"] == envelope["session_id"]


def test_spec_from_stdin_and_slug_from_goal(server: FakeOpenAI, projects_dir: Path) -> None:
    result = dispatch("run", "--spec", "-", "--json", input=GOOD_SPEC, env=env(server))
    assert result.code == 0, result.stderr
    assert result.json()["slug"] == "summarise-the-three-numbered-points"
    assert (projects_dir / result.json()["slug"] / ".dispatch-logs" / "project.json").is_file()


def test_vague_spec_is_refused_with_findings(server: FakeOpenAI, tmp_path: Path, projects_dir: Path) -> None:
    vague = write(tmp_path / "vague.md", "Goal: fix it\nOutput: something good, as discussed\n")
    result = dispatch("run", "--spec", str(vague), "--json", env=env(server))
    assert result.code == 3
    envelope = result.json()
    assert envelope["status"] == "rejected"
    assert {"vague-goal", "hidden-context", "vague-output"} <= {f["rule"] for f in envelope["findings"]}
    assert "vague-goal" in result.stderr and server.requests == [] and not projects_dir.exists()


def test_force_dispatches_and_is_recorded(server: FakeOpenAI, tmp_path: Path) -> None:
    vague = write(tmp_path / "vague.md", "Goal: fix it\nOutput: a sentence\n")
    result = dispatch("run", "--spec", str(vague), "--slug", "forced", "--force", "--json", env=env(server))
    assert result.code == 0, result.stderr
    record = json.loads(Path(result.json()["audit_path"]).read_text())
    assert record["forced"] is True and "--force" in result.stderr


def test_refused_task_type_exits_3_with_reason(server: FakeOpenAI, spec: Path) -> None:
    result = dispatch("run", "--spec", str(spec), "--task-type", "shipped-prose", "--json", env=env(server))
    assert result.code == 3 and "never offloaded" in result.json()["error"] and server.requests == []


@pytest.mark.parametrize(
    "args, needle",
    [
        (["run", "--spec", "missing.md"], "spec file not found"),
        (["run", "--spec", "{spec}", "--slug", "Bad Slug"], "invalid slug"),
        (["run"], "nothing to dispatch"),
        (["run", "--spec", "{spec}", "--model", "ghost"], "unknown model 'ghost'"),
        (["run", "--bogus"], "unrecognized arguments"),
        (["run", "--spec", "{spec}", "--wait", "-1"], "--wait -1 must be zero or a positive"),
        (["run", "--spec", "{spec}", "--timeout", "nan"], "--timeout nan must be a positive"),
        (["run", "--spec", "{spec}", "--stall", "nan"], "--stall nan must be a positive"),
        (["run", "--spec", "{spec}", "--wait", "nan"], "--wait nan must be zero or a positive"),
    ],
)
def test_usage_errors_are_one_line_exit_2(server: FakeOpenAI, spec: Path, args: list[str], needle: str) -> None:
    result = dispatch(*[a.replace("{spec}", str(spec)) for a in args], env=env(server))
    assert result.code == 2
    assert needle in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""


@pytest.mark.parametrize("variable", ["DISPATCH_PROJECTS_DIR", "DISPATCH_HOME"])
def test_an_unusable_directory_is_one_line_not_a_traceback(
    server: FakeOpenAI, spec: Path, tmp_path: Path, variable: str
) -> None:
    """A path under a regular file cannot be created, even by root: the run and `config init` both say so."""
    blocked = write(tmp_path / "a-file", "") / "below"
    command = ["run", "--spec", str(spec), "--json"] if variable == "DISPATCH_PROJECTS_DIR" else ["config", "init"]
    result = dispatch(*command, env=env(server, **{variable: str(blocked)}))
    assert result.code == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Not a directory" in result.stderr
    assert TEMP_MARK not in result.stderr, result.stderr
    if "--json" in command:
        assert result.json()["status"] == "error" and "Not a directory" in result.json()["error"]


def test_text_that_is_not_utf8_is_refused_in_one_line(server: FakeOpenAI, spec: Path) -> None:
    """Bytes the locale cannot decode reach Python as lone surrogates, which no run file or index can store."""
    piped = subprocess.run(
        [sys.executable, "-m", "core", "run", "--spec", "-", "--json"],
        cwd=ROOT,
        input=spec.read_bytes() + b"\xff\n",
        capture_output=True,
        env={**os.environ, **env(server)},
    )
    assert piped.returncode == 2 and b"the spec on stdin is not UTF-8 text" in piped.stderr
    assert json.loads(piped.stdout)["status"] == "error" and b"Traceback" not in piped.stderr
    argument = subprocess.run(
        [sys.executable, "-m", "core", "run", "--spec", str(spec), "--verify", b"true \xff"],
        cwd=ROOT,
        capture_output=True,
        env={**os.environ, **env(server)},
    )
    assert argument.returncode == 2 and b"Traceback" not in argument.stderr
    assert "argument 'true \ufffd' is not UTF-8 text" in argument.stderr.decode()
    assert not list(server.requests)


def test_an_empty_spec_is_one_usage_line_not_six_missing_sections(server: FakeOpenAI, tmp_path: Path) -> None:
    """An empty stdin is most often a pipe whose writer failed: say so, send nothing."""
    blank = tmp_path / "blank.md"
    blank.write_text(" \n\n")
    for result in (
        dispatch("run", "--spec", "-", "--json", input="", env=env(server)),
        dispatch("lint", "--spec", str(blank)),
    ):
        assert result.code == 2, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "is empty" in result.stderr, result.stderr
    assert not list(server.requests)


def test_unreachable_backend_exits_7(spec: Path) -> None:
    result = dispatch("run", "--spec", str(spec), "--json", env={"DISPATCH_BASE_URL": "http://127.0.0.1:9/v1"})
    assert result.code == 7 and result.json()["status"] == "error"


def test_timeout_exits_5(spec: Path) -> None:
    with FakeOpenAI([Reply(hang=30)]) as server:
        result = dispatch("run", "--spec", str(spec), "--timeout", "0.5", "--json", env=env(server))
    assert result.code == 5 and result.json()["status"] == "timeout"


def test_a_models_own_timeout_applies_and_timeout_flag_overrides_it(spec: Path, isolated: Path) -> None:
    with FakeOpenAI([Reply(hang=30)]) as server:
        write(isolated / "home" / "config.toml", f'[models.slow]\nbase_url = "{server.base_url}"\ntimeout = 0.5\n')
        result = dispatch("run", "--spec", str(spec), "--model", "slow", "--json")
        assert result.code == 5 and result.json()["error"] == "no result within the 0.5 s timeout"
        result = dispatch("run", "--spec", str(spec), "--model", "slow", "--timeout", "0.7", "--json")
        assert result.code == 5 and result.json()["error"] == "no result within the 0.7 s timeout"


def test_secrets_never_reach_the_trail(spec: Path, projects_dir: Path) -> None:
    secret = "sk-proj-abcdefghijklmnopqrstuvwxyz0123"
    with FakeOpenAI([Reply(text=f"echoing {secret} back")]) as server:
        result = dispatch(
            "run", "--spec", str(spec), "--slug", "sec", "--json", env=env(server, DISPATCH_API_KEY=secret)
        )
    assert server.headers[0]["authorization"] == f"Bearer {secret}"
    assert result.code == 0 and secret not in result.stdout + result.stderr
    for path in (projects_dir / "sec").rglob("*"):
        if path.is_file():
            assert secret not in path.read_text(errors="replace"), path


def test_help_lists_exit_codes_and_examples() -> None:
    result = dispatch("--help")
    assert result.code == 0
    assert "130  interrupted" in result.stdout and "6    project busy" in result.stdout
    assert "dispatch run --spec task.md" in result.stdout


def test_lint_exit_codes_and_json(tmp_path: Path) -> None:
    clean = dispatch("lint", "--spec", str(write(tmp_path / "a.md", GOOD_SPEC)))
    assert clean.code == 0 and "clean" in clean.stdout
    warn = dispatch("lint", "--spec", str(write(tmp_path / "b.md", GOOD_SPEC.replace("## Verification", "## Notes"))))
    assert warn.code == 1 and "warning missing-section" in warn.stdout
    bad = dispatch("lint", "--spec", "-", "--json", input="Goal: fix it\n")
    assert bad.code == 3 and any(f["rule"] == "vague-goal" for f in bad.json()["findings"])


def test_spec_new_prints_template() -> None:
    result = dispatch("spec", "new", "--task-type", "bulk-coding")
    assert result.code == 0 and "Task type: bulk-coding" in result.stdout and "## Output" in result.stdout


def test_tiers_models_and_config(server: FakeOpenAI) -> None:
    tiers = dispatch("tiers", "--json", env=env(server)).json()
    assert any(t["refused"] == "keep it on the primary" for t in tiers)
    assert any(t["name"] == "general" and t["models"] == ["default"] for t in tiers)
    models = dispatch("models", "--json", env=env(server, DISPATCH_API_KEY="sk-abcdefghijklmnopqrstu")).json()
    assert models[0]["api_key"] == "sk-***" and "abcdefghij" not in json.dumps(models)
    init = dispatch("config", "init", "--preset", "ollama")
    assert init.code == 0
    text = Path(init.stdout.strip()).read_text()
    assert "[models.ollama]" in text and "11434" in text
    assert dispatch("config", "init").code == 2
    shown = dispatch("config", "show", "--json").json()
    assert shown["exists"] and any(m["name"] == "ollama" for m in shown["models"])


def test_failed_verify_is_reported_once_and_fails_the_run(server: FakeOpenAI, spec: Path) -> None:
    result = dispatch("run", "--spec", str(spec), "--slug", "verified", "--verify", "false", env=env(server))
    assert result.code == 1
    assert result.stderr.count("verification failed") == 1 and "(verify_failed)" in result.stderr


def test_json_refusal_before_any_run_is_still_one_envelope(server: FakeOpenAI, spec: Path, projects_dir: Path) -> None:
    missing = dispatch("run", "--spec", "missing.md", "--slug", "nope", "--json", env=env(server))
    assert missing.code == 2 and len(missing.stderr.strip().splitlines()) == 1
    envelope = missing.json()
    assert set(envelope) >= ENVELOPE_KEYS
    assert (envelope["status"], envelope["reason"], envelope["slug"]) == ("error", "usage", "nope")
    assert "spec file not found" in envelope["error"] and not projects_dir.exists()
    unknown = dispatch("run", "--spec", str(spec), "--model", "ghost", "--json", env=env(server))
    assert unknown.code == 2 and unknown.json()["reason"] == "config"
