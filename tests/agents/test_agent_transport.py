"""The shared agent transport without the real CLIs: binaries, environment, context files, process groups,
garbage output, the command backend and --verify."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import textwrap
import time
from pathlib import Path

import pytest
import tomli_w

from core import procgroup
from core.backends.agent import CONTEXT_BEGIN, child_environment, write_context_file
from core.verify import commands_from_spec
from tests.agents.test_agent_clis import SPEC
from tests.helpers import dispatch, write


def script(path: Path, body: str) -> Path:
    write(path, f"#!{sys.executable}\n" + textwrap.dedent(body))
    path.chmod(0o755)
    return path


def configure(home: Path, **table: object) -> None:
    write(home / "config.toml", tomli_w.dumps({"models": {"agent": table}}))


def run(tmp_path: Path, *args: str, spec: str = SPEC):
    spec_file = write(tmp_path / "spec.md", spec)
    return dispatch("run", "--spec", str(spec_file), "--model", "agent", "--slug", "job", "--json", *args)


def test_missing_binary_exits_7_with_an_install_hint(tmp_path: Path, projects_dir: Path) -> None:
    configure(tmp_path / "home", backend="claude-code", bin="no-such-claude-binary")
    result = run(tmp_path)
    assert result.code == 7 and result.json()["reason"] == "unavailable" and result.json()["run_id"] == ""
    assert "npm install -g @anthropic-ai/claude-code" in result.stderr and len(result.stderr.splitlines()) == 1
    assert not (projects_dir / "job").exists()


def test_garbage_output_is_an_error_with_the_raw_output_kept(tmp_path: Path) -> None:
    fake = script(
        tmp_path / "claude",
        """\
        print("Welcome to a CLI that is not what you think")
        print("{ not json at all")
    """,
    )
    configure(tmp_path / "home", backend="claude-code", bin=str(fake))
    result = run(tmp_path)
    envelope = result.json()
    assert result.code == 1 and envelope["status"] == "error" and envelope["reason"] == "bad_response"
    assert "not JSON" in envelope["error"]
    record = json.loads(Path(envelope["audit_path"]).read_text())
    assert "{ not json at all" in record["raw"]["stdout"] and envelope["non_json_lines"] == 2
    assert "not JSON" in result.stderr


def test_secrets_in_child_stderr_are_redacted(tmp_path: Path) -> None:
    fake = script(
        tmp_path / "claude",
        """\
        import os, sys
        sys.stderr.write("using key " + os.environ["ANTHROPIC_API_KEY"] + "\\n")
        sys.exit(3)
    """,
    )
    secret = "plain-secret-value-123456"
    configure(tmp_path / "home", backend="claude-code", bin=str(fake), env={"ANTHROPIC_API_KEY": secret})
    result = run(tmp_path)
    envelope = result.json()
    assert result.code == 1 and "status 3" in envelope["error"]
    text = Path(envelope["audit_path"]).read_text()
    assert "using key ***" in text and secret not in text


def test_child_environment_holds_only_what_the_agent_needs() -> None:
    environ = {
        "PATH": "/bin",
        "HOME": "/h",
        "ANTHROPIC_API_KEY": "a",
        "OPENAI_API_KEY": "o",
        "AWS_X": "1",
        "UNRELATED": "u",
        "DISPATCH_API_KEY": "d",
        "MINE": "m",
    }
    env = child_environment({"EXTRA": "${MINE}-x"}, ("IS_SANDBOX",), ("ANTHROPIC_",), environ)
    assert env == {"PATH": "/bin", "HOME": "/h", "ANTHROPIC_API_KEY": "a", "EXTRA": "m-x"}


def test_context_file_keeps_what_a_person_wrote(tmp_path: Path) -> None:
    path = write(tmp_path / "CLAUDE.md", "# House rules\nUse tabs.\n")
    assert write_context_file(path, SPEC)
    assert write_context_file(path, SPEC.replace("any other file", "anything else"))
    text = path.read_text()
    assert text.count(CONTEXT_BEGIN) == 1 and "Do not create or change anything else." in text
    assert "any other file" not in text and text.rstrip().endswith("Use tabs.")
    assert not write_context_file(tmp_path / "AGENTS.md", "just a prompt")
    assert not (tmp_path / "AGENTS.md").exists()


def test_stop_kills_the_group_and_a_grandchild_that_left_it(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    child = script(
        tmp_path / "child",
        f"""\
        import os, subprocess, sys, time
        escaped = subprocess.Popen([sys.executable, "-c", "import os, time; os.setsid(); time.sleep(300)"])
        stays = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
        open({str(pids)!r}, "w").write(f"{{escaped.pid}} {{stays.pid}}")
        time.sleep(300)
    """,
    )

    async def scenario() -> list[int]:
        process = await procgroup.spawn([str(child)], tmp_path, dict(os.environ), None)
        deadline = time.monotonic() + 30
        while not (pids.exists() and len(pids.read_text().split()) == 2):
            assert time.monotonic() < deadline, "the child never started its children"
            await asyncio.sleep(0.05)
        found = [int(p) for p in pids.read_text().split()]
        await procgroup.stop(process, grace=1.0)
        await process.communicate()
        return [process.pid, *found]

    for pid in asyncio.run(scenario()):
        assert not procgroup.alive(pid), pid


def test_command_backend_runs_an_argv_template(tmp_path: Path, projects_dir: Path) -> None:
    tool = script(
        tmp_path / "tool",
        """\
        import os, sys
        open("made-by-tool.txt", "w").write(sys.argv[2])
        print("got:", sys.argv[1], len(sys.argv[2]) > 0)
    """,
    )
    configure(tmp_path / "home", backend="command", args=[str(tool), "--message", "{prompt}"])
    result = run(tmp_path)
    envelope = result.json()
    assert result.code == 0, result.stderr
    assert envelope["result"] == "got: --message True\n"
    assert "Create the file notes.txt" in (projects_dir / "job" / "made-by-tool.txt").read_text()


def test_command_backend_without_placeholder_reads_stdin(tmp_path: Path) -> None:
    tool = script(
        tmp_path / "tool",
        """\
        import sys
        print(sys.stdin.read().splitlines()[0])
        sys.exit(2)
    """,
    )
    configure(tmp_path / "home", backend="command", args=[str(tool)])
    envelope = run(tmp_path).json()
    assert envelope["status"] == "error" and "status 2" in envelope["error"]
    assert envelope["result"] == "Task type: agentic-coding\n"


def test_verify_failure_is_an_error_with_the_output_tail(tmp_path: Path) -> None:
    configure(tmp_path / "home", backend="command", args=[sys.executable, "-c", "print('done')"])
    check = f"{sys.executable} -c \"import sys; print('3 tests failed'); sys.exit(3)\""
    result = run(tmp_path, "--verify", check)
    envelope = result.json()
    assert result.code == 1 and envelope["status"] == "error" and envelope["reason"] == "verify_failed"
    assert envelope["verify"]["exit_code"] == 3 and "3 tests failed" in envelope["verify"]["output_tail"]
    assert envelope["result"] == "done\n"


def test_verify_from_the_spec_runs_in_the_project_dir(tmp_path: Path, projects_dir: Path) -> None:
    configure(
        tmp_path / "home",
        backend="command",
        args=[sys.executable, "-c", "open('notes.txt', 'w').write('hello'); print('Wrote notes.txt.')"],
    )
    spec = SPEC.replace(
        "The file notes.txt exists and holds the word hello.",
        f"Run: `{sys.executable} -c \"assert open('notes.txt').read() == 'hello'\"`",
    )
    result = run(tmp_path, spec=spec)
    envelope = result.json()
    assert result.code == 0, result.stderr
    assert envelope["verify"]["passed"] is True and envelope["verify"]["exit_code"] == 0


def test_verification_commands_in_a_spec() -> None:
    assert commands_from_spec("Goal: x\n## Verification\nRun: `pytest -q tests`\n") == ["pytest -q tests"]
    block = "## Verification\nCheck it:\n```sh\n# the suite\n$ make lint\npytest -q\n```\n"
    assert commands_from_spec(block) == ["make lint", "pytest -q"]
    assert commands_from_spec("## Verification\n```python\nassert x\n```\nA reviewer reads it.\n") == []
    assert commands_from_spec("## Goal\nRun: rm -rf /\n## Verification\nA person checks it.\n") == []


def test_stateless_models_run_only_an_explicit_verify(tmp_path: Path) -> None:
    from tests.fakes.openai_server import FakeOpenAI

    spec = SPEC.replace("The file notes.txt exists and holds the word hello.", "Run: false")
    write(tmp_path / "work" / "marker.txt", "here")
    with FakeOpenAI() as server:
        env = {"DISPATCH_BASE_URL": server.base_url}
        spec_file = write(tmp_path / "spec.md", spec)
        named = dispatch("run", "--spec", str(spec_file), "--slug", "plain", "--json", env=env)
        check = f"{sys.executable} -c \"import os; assert os.path.exists('marker.txt')\""
        explicit = dispatch(
            "run",
            "--spec",
            str(spec_file),
            "--slug",
            "plain",
            "--json",
            "--cwd",
            str(tmp_path / "work"),
            "--verify",
            check,
            env=env,
        )
    assert named.code == 0 and "verify" not in named.json()
    assert explicit.code == 0, explicit.stderr
    assert explicit.json()["verify"]["passed"] is True


@pytest.mark.parametrize("flag, value", [("--stall", "0"), ("--permission", "everything")])
def test_bad_agent_options_are_one_line_usage_errors(flag: str, value: str) -> None:
    result = dispatch("run", "--prompt", "Goal: anything", flag, value)
    assert result.code == 2 and flag in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("preset", ["claude-code", "codex", "gemini"])
def test_agent_presets_configure_an_agent_backend(preset: str) -> None:
    init = dispatch("config", "init", "--preset", preset)
    assert init.code == 0, init.stderr
    shown = dispatch("config", "show", "--json").json()
    assert [m["backend"] for m in shown["models"] if m["name"] == preset] == [preset]


@pytest.mark.parametrize(
    "kind, flag, value",
    [("claude-code", "--permission-mode", "plan"), ("codex", "-s", "read-only"), ("gemini", "--approval-mode", "plan")],
)
def test_review_is_read_only_whatever_the_permission(kind: str, flag: str, value: str, tmp_path: Path) -> None:
    from core.backends import backend_for
    from core.backends.base import BackendRequest
    from core.config import ModelConfig

    backend = backend_for(ModelConfig(name="m", backend=kind))
    request = BackendRequest(
        prompt="review it", cwd=tmp_path, timeout=60, permission="bypass", read_only=True, session_id="abc-123"
    )
    argv = backend.argv(kind, request)
    assert argv[argv.index(flag) + 1] == value and "abc-123" in argv


def test_an_agent_that_leaves_a_child_behind_still_finishes(tmp_path: Path) -> None:
    pid_file = tmp_path / "left.pid"
    fake = script(
        tmp_path / "claude",
        f"""\
        import json, subprocess, sys
        left = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"], stdout=subprocess.DEVNULL)
        open({str(pid_file)!r}, "w").write(str(left.pid))
        print(json.dumps({{"type": "system", "subtype": "init", "session_id": "s-1"}}))
        print(json.dumps({{"type": "result", "subtype": "success", "is_error": False, "result": "all done",
                          "session_id": "s-1", "total_cost_usd": 0.01, "num_turns": 1, "usage": {{}}}}))
    """,
    )
    configure(tmp_path / "home", backend="claude-code", bin=str(fake))
    result = run(tmp_path, "--timeout", "60")
    envelope = result.json()
    assert result.code == 0, result.stderr
    assert envelope["result"] == "all done" and envelope["session_id"] == "s-1" and envelope["cost_usd"] == 0.01
    assert not procgroup.alive(int(pid_file.read_text()))


def test_verify_that_hangs_is_stopped_and_reported(tmp_path: Path) -> None:
    from core.verify import run_one

    hang = f"{sys.executable} -c \"print('started', flush=True); import time; time.sleep(300)\""
    result = asyncio.run(run_one(hang, tmp_path, dict(os.environ), timeout=1.0))
    assert result.exit_code is None and not result.passed
    assert "still running" in (result.error or "") and "started" in result.output_tail


def test_agent_child_gets_the_prompt_a_chosen_environment_and_no_lock(tmp_path: Path, projects_dir: Path) -> None:
    """RELIABILITY.md's subprocess facts, seen from inside the agent: the prompt on stdin then EOF, only the
    keys it needs, no descriptor of the project lock or of the reaper's lifeline, its own session; and
    DISPATCH_CC_BIN finds the binary."""
    fake = script(
        tmp_path / "claude",
        """\
        import json, os, sys
        # Its own session, led by the reaper (core/reaper.py) that dispatch starts it under.
        seen = {"stdin": sys.stdin.read(), "env": sorted(os.environ), "sid": os.getsid(0) == os.getppid(),
                "fds": [os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")
                        if os.path.exists(f"/proc/self/fd/{fd}")]}
        print(json.dumps({"type": "result", "subtype": "success", "result": json.dumps(seen), "session_id": "s"}))
    """,
    )
    configure(tmp_path / "home", backend="claude-code", env={"ANTHROPIC_BASE_URL": "http://127.0.0.1:9"})
    spec_file = write(tmp_path / "spec.md", SPEC)
    result = dispatch(
        "run",
        "--spec",
        str(spec_file),
        "--model",
        "agent",
        "--slug",
        "job",
        "--json",
        env={"DISPATCH_CC_BIN": str(fake), "UNRELATED_SETTING": "x", "DISPATCH_API_KEY": "d-key-123456"},
    )
    assert result.code == 0, result.stderr
    seen = json.loads(result.json()["result"])
    assert "Create the file notes.txt" in seen["stdin"] and seen["sid"]
    assert "ANTHROPIC_BASE_URL" in seen["env"] and "PATH" in seen["env"]
    assert "UNRELATED_SETTING" not in seen["env"] and "DISPATCH_API_KEY" not in seen["env"]
    lock = projects_dir / "job" / ".dispatch-logs" / "lock"
    assert lock.exists() and str(lock) not in seen["fds"]
    assert not [fd for fd in seen["fds"] if fd.startswith("pipe:")][3:], "only stdin, stdout and stderr are pipes"


def test_secrets_the_agent_prints_on_stdout_are_redacted(tmp_path: Path) -> None:
    fake = script(
        tmp_path / "claude",
        """\
        import json, os
        key = os.environ["ANTHROPIC_API_KEY"]
        print(json.dumps({"type": "assistant", "message": {"id": "m", "content": [{"type": "text", "text": key}]}}))
        print(json.dumps({"type": "result", "subtype": "success", "result": "key is " + key, "session_id": "s"}))
    """,
    )
    secret = "plain-secret-value-123456"
    configure(tmp_path / "home", backend="claude-code", bin=str(fake), env={"ANTHROPIC_API_KEY": secret})
    result = run(tmp_path)
    envelope = result.json()
    assert result.code == 0, result.stderr
    assert envelope["result"] == "key is ***"
    run_files = Path(envelope["audit_path"]).parent
    assert all(secret not in f.read_text() for f in run_files.iterdir() if f.is_file())
    assert "key is ***" in Path(envelope["audit_path"]).read_text()
    assert secret not in result.stdout + result.stderr


def test_an_oversized_output_line_is_dropped_and_reported(tmp_path: Path) -> None:
    fake = script(
        tmp_path / "claude",
        """\
        import json, sys
        sys.stdout.write('{"type": "assistant", "junk": "' + "x" * (9 * 1024 * 1024) + '"}\\n')
        print(json.dumps({"type": "result", "subtype": "success", "result": "fine after all", "session_id": "s"}))
    """,
    )
    configure(tmp_path / "home", backend="claude-code", bin=str(fake))
    envelope = run(tmp_path).json()
    assert envelope["status"] == "ok" and envelope["result"] == "fine after all"
    assert envelope["dropped_lines"] == 1


def test_an_agent_that_never_reads_a_long_prompt_still_meets_its_timeout(tmp_path: Path, projects_dir: Path) -> None:
    """A prompt bigger than the pipe holds, given to a child that never reads stdin: the write must not
    block the timeout, and the child must not outlive the run."""
    from tests.agents.clis import processes_in

    configure(tmp_path / "home", backend="command", args=[sys.executable, "-c", "import time; time.sleep(300)"])
    spec = SPEC.replace("## Non-goals", "Filler: " + "word " * 60_000 + "\n\n## Non-goals")
    result = run(tmp_path, "--timeout", "2", spec=spec)
    envelope = result.json()
    assert result.code == 5 and envelope["status"] == "timeout"
    assert "the agent was stopped" in envelope["error"]
    assert processes_in(projects_dir / "job") == []


def test_review_is_read_only_unless_permission_is_given(tmp_path: Path) -> None:
    fake = script(
        tmp_path / "claude",
        """\
        import json, sys
        sys.stdin.read()
        print(json.dumps({"type": "result", "subtype": "success", "result": "VERDICT: pass", "session_id": "s"}))
    """,
    )
    configure(tmp_path / "home", backend="claude-code", bin=str(fake))
    assert run(tmp_path).code == 0

    def mode(*args: str, env: dict[str, str] | None = None) -> str:
        review = dispatch("review", "--slug", "job", "--model", "agent", "--json", *args, env=env)
        assert review.code == 0, review.stderr
        argv = json.loads(Path(review.json()["audit_path"]).read_text())["raw"]["argv"]
        return argv[argv.index("--permission-mode") + 1]

    assert mode() == "plan"
    assert mode("--permission", "acceptEdits") == "acceptEdits"
    assert mode(env={"DISPATCH_PERMISSION": "bypass"}) == "plan", "the variable sets runs' default, not reviews'"
