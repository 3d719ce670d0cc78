"""`dispatch export` and `dispatch show` over every kind of run, made through the real CLI against fake servers on
127.0.0.1 (OpenAI, a website for the web loop) and a `command` agent editing a real git repo: each format holds
every run, the tar's manifest matches its files, and a key the process holds never leaves unmasked."""

from __future__ import annotations

import hashlib
import io
import json
import os
import pty
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

from tests.agents.test_worktrees import REFACTOR, command_agent, run_spec
from tests.cli.test_projects_cli import CONFIG
from tests.cli.test_web_cli import configure as configure_web
from tests.cli.test_web_cli import script as web_script
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.fakes.website import Website
from tests.helpers import MARKDOWN_SPEC, ROOT, dispatch, write
from tests.invoices_repo import make_repo

SECRET = "canary-export-4f1e9b7d2c"
ANSWER = "# Release\n\nStart-up is **faster** and `dispatch show` is new.\n\n- one\n- two\n"


def mixed_project(isolated: Path) -> dict[str, str]:
    """A run, its resume, a review and an escalation in project `mix`; their run ids by kind."""
    replies = [
        Reply(text=f"{ANSWER}key {SECRET}"),
        Reply(text="Resumed answer."),
        Reply(text="VERDICT: concerns\n- too short"),
        Reply(text="Escalated answer."),
    ]
    with FakeOpenAI(replies) as api:
        write(
            isolated / "home" / "config.toml",
            CONFIG.format(url=api.base_url) + '\n[tiers.deep]\nmodels = ["checker"]\n',
        )
        env = {"MY_SERVICE_TOKEN": SECRET}
        spec = write(isolated / "task.md", MARKDOWN_SPEC)
        made = {"run": dispatch("run", "--spec", str(spec), "--slug", "mix", "--json", env=env)}
        made["resume"] = dispatch("resume", "--slug", "mix", "--prompt", "shorter", "--json", env=env)
        made["review"] = dispatch("review", "--slug", "mix", "--json", env=env)
        made["escalation"] = dispatch(
            "escalate",
            "--slug",
            "mix",
            "--run",
            made["run"].json()["run_id"],
            "--tier",
            "deep",
            "--reason",
            "too hard",
            "--json",
            env=env,
        )
    for kind, result in made.items():
        assert result.code == 0, (kind, result.stderr)
    return {kind: result.json()["run_id"] for kind, result in made.items()}


def test_every_format_holds_every_run_masked_and_the_tar_manifest_matches(isolated: Path) -> None:
    ids = mixed_project(isolated)
    env = {"MY_SERVICE_TOKEN": SECRET}
    md = dispatch("export", "--slug", "mix", env=env)
    assert md.code == 0, md.stderr
    assert md.stdout.startswith("# Project mix\n") and "- Hash chain: intact: 4 chained" in md.stdout
    for kind, run_id in ids.items():
        assert f"## Run {run_id} ({kind}, ok)" in md.stdout
    assert "### Answer\n# Release\n\nStart-up is **faster**" in md.stdout, "answers are Markdown as written"
    assert "- Escalated from tier general: too hard" in md.stdout and "Escalated answer." in md.stdout
    assert "### Review verdict\n```text\nconcerns\n  - too short\n```" in md.stdout
    escalation = dispatch("show", ids["escalation"]).stdout
    assert "(escalation) in project mix" in escalation and f"Parent run: {ids['run']}" in escalation
    assert "Escalated from tier general: too hard" in escalation and "Model: checker (openai)" in escalation

    lines = dispatch("export", "--slug", "mix", "--format", "jsonl", env=env)
    records = [json.loads(line) for line in lines.stdout.splitlines()]
    assert [r["run_id"] for r in records] == sorted(ids.values()) and [r["kind"] for r in records] == list(ids)
    assert all(r["events"][0]["type"] == "RunStarted" and r["events"][-1]["type"] == "Finished" for r in records)

    bundle = isolated / "mix.tar"
    made = dispatch("export", "--slug", "mix", "--format", "tar", "-o", str(bundle), env=env)
    assert made.code == 0 and made.stdout == "" and "exported 4 runs of 'mix'" in made.stderr
    with tarfile.open(bundle) as tar:
        contents = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
    manifest = json.loads(contents.pop("mix/MANIFEST.json"))
    sums = contents.pop("mix/SHA256SUMS").decode()
    assert manifest["chain"]["ok"] and manifest["runs"] == sorted(ids.values())
    assert {f"mix/{f['path']}" for f in manifest["files"]} == set(contents)
    for entry in manifest["files"]:
        data = contents[f"mix/{entry['path']}"]
        assert entry["bytes"] == len(data) and entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert f"{entry['sha256']}  {entry['path']}\n" in sums
    assert {"mix/project.json", "mix/chain-head.json"} <= set(contents)
    assert sum(name.endswith("-events.jsonl") for name in contents) == 4

    for text in (md.stdout, lines.stdout, *(d.decode() for d in contents.values())):
        assert SECRET not in text
    assert "key ***" in md.stdout

    since = dispatch("export", "--slug", "mix", "--format", "jsonl", "--since", "2999-01-01")
    assert since.code == 0 and since.stdout == ""
    for argv, said in (
        (["--slug", "ghost"], "no project 'ghost'"),
        (["--slug", "mix", "--since", "soon"], "is not a date"),
        (["--slug", "mix", "--format", "pdf"], "invalid choice"),
    ):
        refused = dispatch("export", *argv)
        assert refused.code == 2 and said in refused.stderr and len(refused.stderr.splitlines()) == 1


def test_web_and_agent_runs_show_and_export_what_is_theirs(isolated: Path) -> None:
    with Website() as site, FakeOpenAI(web_script(site)) as model:
        configure_web(isolated / "home", model.base_url, site)
        web = dispatch(
            "run",
            "--mode",
            "web",
            "--spec",
            str(write(isolated / "task.md", MARKDOWN_SPEC)),
            "--slug",
            "w",
            "--json",
            "--max-steps",
            "4",
            "--max-fetches",
            "2",
        )
        assert web.code == 0, web.stderr
        article = site.url("/article")
    shown = dispatch("show", web.json()["run_id"])
    assert (
        shown.code == 0 and "Model: researcher (web)" in shown.stdout and f"Answer: 42, from {article}" in shown.stdout
    )
    assert "ToolCall" in shown.stdout or "web_fetch" in shown.stdout, "the fetch is in the timeline"
    exported = dispatch("export", "--slug", "w", "--format", "jsonl").stdout
    assert json.loads(exported)["citations"][0]["url"] == article

    repo = make_repo(isolated / "repo")
    command_agent(isolated / "home", REFACTOR)
    agent = run_spec(isolated, repo)
    assert agent.code == 0, agent.stderr
    md = dispatch("export", "--slug", "inv")
    assert md.code == 0 and "### Changes\n```text\nBranch: dispatch/inv/" in md.stdout
    assert "modified  src/invoices.py  +2 -2" in md.stdout
    bundle = dispatch("export", "--slug", "inv", "--format", "tar", "-o", str(isolated / "inv.tar"))
    assert bundle.code == 0
    with tarfile.open(isolated / "inv.tar") as tar:
        assert f"inv/{agent.json()['run_id']}.patch" in tar.getnames(), "the agent's patch travels with it"


def on_a_terminal(*args: str, typed: bytes = b"", code: int = 0) -> str:
    """What `dispatch ARGS` prints to a terminal (a pseudo-terminal as stdin, stdout and stderr, `typed` typed into
    it), until it exits with `code`."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "core", *args],
        cwd=ROOT,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "TERM": "xterm"},
    )
    os.close(follower)
    if typed:
        os.write(leader, typed)
    out = io.BytesIO()
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the terminal's other side closed
            break
        if not chunk:
            break
        out.write(chunk)
    os.close(leader)
    assert process.wait(timeout=60) == code
    return out.getvalue().decode().replace("\r\n", "\n")


def test_show_draws_the_answer_on_a_terminal_and_keeps_it_plain_in_a_pipe(isolated: Path) -> None:
    hostile = ANSWER + "then \x1b]0;owned\x07 a retitled terminal\n"
    with FakeOpenAI([Reply(text=hostile)]) as api:
        made = dispatch(
            "run",
            "--spec",
            str(write(isolated / "task.md", MARKDOWN_SPEC)),
            "--slug",
            "md",
            "--json",
            env={"DISPATCH_BASE_URL": api.base_url},
        )
    assert made.code == 0, made.stderr
    piped = dispatch("show", "--slug", "md").stdout
    assert "# Release\n\nStart-up is **faster** and `dispatch show` is new.\n\n- one\n" in piped
    drawn = on_a_terminal("show", "--slug", "md")
    assert "\x1b[1m\x1b[4mRelease\x1b[0m" in drawn and "Start-up is \x1b[1mfaster\x1b[0m" in drawn
    assert "\x1b[36mdispatch show\x1b[0m" in drawn and "  • one" in drawn and "**" not in drawn.split("== Answer")[1]
    assert "\x1b]0;" not in drawn and "then ^[]0;owned^G a retitled terminal" in drawn, "controls made visible"
    assert "\x1b[" not in on_a_terminal("show", "--slug", "md", "--json").replace("\\u001b", "")


def test_output_to_a_pipe_a_symlink_or_a_directory_keeps_the_node_it_names(isolated: Path) -> None:
    with FakeOpenAI([Reply(text="One sentence for the release.")]) as api:
        write(isolated / "home" / "config.toml", CONFIG.format(url=api.base_url))
        spec = write(isolated / "task.md", MARKDOWN_SPEC)
        assert dispatch("run", "--spec", str(spec), "--slug", "out", "--json").code == 0
    fifo = isolated / "bundle.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    piped = dispatch("export", "--slug", "out", "--format", "jsonl", "-o", str(fifo))
    reader.join(timeout=60)
    assert piped.code == 0 and fifo.is_fifo(), piped.stderr
    assert json.loads(received[0].decode().splitlines()[0])["slug"] == "out"
    target = write(isolated / "real.md", "old")
    (isolated / "link.md").symlink_to(target)
    linked = dispatch("export", "--slug", "out", "-o", str(isolated / "link.md"))
    assert linked.code == 0 and (isolated / "link.md").is_symlink() and "# Project out" in target.read_text()
    into_dir = dispatch("export", "--slug", "out", "-o", str(isolated))
    assert into_dir.code == 2 and f"-o {isolated} is a directory" in into_dir.stderr, into_dir.stderr
    nowhere = dispatch("export", "--slug", "out", "-o", str(isolated / "missing" / "x.md"))
    assert nowhere.code == 2 and not (isolated / "missing").exists() and "no directory" in nowhere.stderr
