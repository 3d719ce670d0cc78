"""The spec's input files reach a stateless model: read under --cwd, bounded, masked, recorded (core/inputs.py),
checked against the fake OpenAI server on 127.0.0.1, which sees exactly what was sent."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import dispatch, write
from tests.invoices_repo import INVOICES, SPEC, TESTS, make_repo

CODING = SPEC.replace("Task type: agentic-coding", "Task type: bulk-coding")


@pytest.fixture
def server():
    with FakeOpenAI([Reply(text="```python\ndef parse_invoice(text): ...\n```")]) as fake:
        yield fake


def run(server: FakeOpenAI, spec: str, repo: Path, tmp_path: Path, *args: str, slug: str = "inv"):
    path = write(tmp_path / "task.md", spec)
    return dispatch(
        "run",
        "--spec",
        str(path),
        "--slug",
        slug,
        "--cwd",
        str(repo),
        "--json",
        *args,
        env={"DISPATCH_BASE_URL": server.base_url},
    )


def sent(server: FakeOpenAI, index: int = -1) -> str:
    return server.requests[index]["messages"][-1]["content"]


def test_seed_a_a_coding_model_sees_the_files_and_a_glob(server: FakeOpenAI, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    spec = CODING.replace("`tests/test_invoices.py`", "`tests/test_invoices.py`, and every module in src/**/*.py")
    result = run(server, spec, repo, tmp_path)
    assert result.code == 0, result.stderr
    prompt = sent(server)
    assert INVOICES in prompt and "Refactor the parse_invoice()" in prompt
    assert "# a note the user has not committed" in prompt, "the working tree is sent, uncommitted edits and all"
    assert "<<<input src/__init__.py" in prompt and prompt.count("<<<input src/invoices.py") == 1
    assert "```python\n" + INVOICES in prompt
    envelope = result.json()
    paths = [i["path"] for i in envelope["inputs"]]
    assert paths == ["src/invoices.py", "tests/test_invoices.py", "src/__init__.py"]
    invoice = envelope["inputs"][0]
    assert (
        invoice["bytes"] == len(INVOICES.encode())
        and invoice["sha256"] == hashlib.sha256(INVOICES.encode()).hexdigest()
    )
    record = json.loads(Path(envelope["audit_path"]).read_text())
    assert record["prompt"] == prompt, "the record keeps exactly what the model saw"
    assert "sending 3 input files" in result.stderr


def test_no_inputs_sends_the_spec_alone(server: FakeOpenAI, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    result = run(server, CODING, repo, tmp_path, "--no-inputs")
    assert result.code == 0, result.stderr
    assert "<<<input" not in sent(server) and "Refactor the parse_invoice()" in sent(server)
    assert "inputs" not in result.json()


def refused(server: FakeOpenAI, spec: str, repo: Path, tmp_path: Path) -> dict:
    result = run(server, spec, repo, tmp_path)
    assert result.code == 3, result.stderr
    assert server.requests == [], "nothing is sent when an input is refused"
    assert "Traceback" not in result.stderr
    return result.json()


@pytest.mark.parametrize(
    "named, rule",
    [
        ("../outside.py", "input-outside-cwd"),
        ("{outside}", "input-outside-cwd"),
        ("src/link.py", "input-outside-cwd"),
        ("src/blob.bin", "input-binary"),
        ("src/big.py", "input-too-large"),
    ],
)
def test_inputs_that_may_not_be_sent_are_refused(named: str, rule: str, server: FakeOpenAI, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    outside = write(tmp_path / "outside.py", "SECRET_PLAN = 1\n")
    os.symlink(outside, repo / "src" / "link.py")
    (repo / "src" / "blob.bin").write_bytes(b"\x00\x01binary\x00" * 10)
    write(repo / "src" / "big.py", "x = 1\n" * 50_000)
    spec = CODING.replace("`tests/test_invoices.py`", f"`{named.format(outside=outside)}`")
    envelope = refused(server, spec, repo, tmp_path)
    assert rule in {f["rule"] for f in envelope["findings"]}
    assert envelope["status"] == "rejected" and "input not sent" in envelope["error"]


def test_force_sends_the_other_inputs(server: FakeOpenAI, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    (repo / "src" / "blob.bin").write_bytes(b"\x00" * 64)
    result = run(server, CODING.replace("`tests/test_invoices.py`", "`src/blob.bin`"), repo, tmp_path, "--force")
    assert result.code == 0, result.stderr
    assert INVOICES in sent(server) and "blob.bin" not in sent(server).split("## Input files")[1]


def test_inputs_over_the_context_are_refused_before_sending(server: FakeOpenAI, tmp_path: Path, isolated: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    write(repo / "src" / "ledger.py", "ENTRIES = [\n" + "    'entry',\n" * 3000 + "]\n")
    write(
        isolated / "home" / "config.toml",
        f'[models.small]\nbackend = "openai"\nbase_url = "{server.base_url}"\ncontext_window = 4096\nmax_tokens = 512\n',
    )
    path = write(tmp_path / "task.md", CODING.replace("`tests/test_invoices.py`", "`src/ledger.py`"))
    result = dispatch("run", "--spec", str(path), "--model", "small", "--cwd", str(repo), "--json")
    assert result.code == 3 and server.requests == []
    error = result.json()["error"]
    assert "4096" in error and error.split("biggest inputs: ")[1].startswith("src/ledger.py")
    assert "context_window" in error, "the line says what to do"
    assert len([line for line in result.stderr.splitlines() if line.strip()]) == 1


def test_a_key_in_an_input_file_never_reaches_the_server(server: FakeOpenAI, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    key = "sk-proj-" + "A1b2C3d4E5f6G7h8I9j0K1l2"
    write(repo / "src" / "settings.py", f'OPENAI_KEY = "{key}"\nTIMEOUT = 30\n')
    result = run(server, CODING.replace("`tests/test_invoices.py`", "`src/settings.py`"), repo, tmp_path)
    assert result.code == 0, result.stderr
    assert key not in json.dumps(server.requests) and "TIMEOUT = 30" in sent(server)
    envelope = result.json()
    assert envelope["inputs_masked"] == 1 and "masked 1 key-shaped" in result.stderr
    assert key not in Path(envelope["audit_path"]).read_text()


def test_resume_does_not_resend_what_the_session_has(server: FakeOpenAI, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    assert run(server, CODING, repo, tmp_path).code == 0
    again = write(tmp_path / "again.md", CODING)
    result = dispatch(
        "resume",
        "--slug",
        "inv",
        "--spec",
        str(again),
        "--cwd",
        str(repo),
        "--json",
        env={"DISPATCH_BASE_URL": server.base_url},
    )
    assert result.code == 0, result.stderr
    history = json.dumps(server.requests[-1]["messages"][:-1])
    assert "<<<input src/invoices.py" in history and "<<<input" not in sent(server)
    assert "not sent again" in result.stderr
    (repo / "src" / "invoices.py").write_text(INVOICES + "# changed\n")
    changed = dispatch(
        "resume",
        "--slug",
        "inv",
        "--spec",
        str(again),
        "--cwd",
        str(repo),
        "--json",
        env={"DISPATCH_BASE_URL": server.base_url},
    )
    assert changed.code == 0 and "# changed" in sent(server) and TESTS not in sent(server)


def test_lint_reports_the_inputs_it_would_send(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    spec = write(tmp_path / "task.md", CODING)
    result = dispatch("lint", "--spec", str(spec), "--cwd", str(repo), "--json")
    assert result.code == 0, result.stdout + result.stderr
    report = result.json()
    assert [i["path"] for i in report["inputs"]] == ["src/invoices.py", "tests/test_invoices.py"]
    assert report["input_tokens"] == sum(i["tokens"] for i in report["inputs"]) > 0
    text = dispatch("lint", "--spec", str(spec), "--cwd", str(repo))
    assert "src/invoices.py" in text.stdout and "tokens" in text.stdout
    (repo / "src" / "invoices.py").unlink()
    os.symlink("/etc/hostname", repo / "src" / "invoices.py")
    outside = dispatch("lint", "--spec", str(spec), "--cwd", str(repo), "--json")
    assert outside.code == 3 and "input-outside-cwd" in {f["rule"] for f in outside.json()["findings"]}


def test_a_glob_matching_too_many_files_is_refused(server: FakeOpenAI, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    for number in range(201):
        write(repo / "gen" / f"m{number}.py", "x = 1\n")
    envelope = refused(server, CODING.replace("`tests/test_invoices.py`", "gen/*.py"), repo, tmp_path)
    assert "input-too-many" in {f["rule"] for f in envelope["findings"]}


def test_input_paths_with_spaces_are_read_in_a_directory_with_spaces(server: FakeOpenAI, tmp_path: Path) -> None:
    """A backticked path keeps its spaces (`docs/release notes.md`), globs too, under a --cwd that has them."""
    repo = make_repo(tmp_path / "my repo")
    write(repo / "docs" / "release notes.md", "# Release notes\nFaster start-up.\n")
    write(repo / "meeting notes" / "monday.md", "Ship on Friday.\n")
    spec = CODING.replace("`tests/test_invoices.py`", "`docs/release notes.md` and `meeting notes/*.md`")
    result = run(server, spec, repo, tmp_path)
    assert result.code == 0, result.stderr
    assert [i["path"] for i in result.json()["inputs"]] == [
        "src/invoices.py",
        "docs/release notes.md",
        "meeting notes/monday.md",
    ]
    prompt = sent(server)
    assert "<<<input docs/release notes.md (" in prompt and "Faster start-up." in prompt and "Ship on Friday." in prompt
    assert dispatch("lint", "--spec", str(write(tmp_path / "t.md", spec)), "--cwd", str(repo)).code == 0
