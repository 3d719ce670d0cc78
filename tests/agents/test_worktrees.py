"""Agents work in a git worktree of the user's repo (core/workspace.py, core/worktree.py), and their changes are
reviewed with `dispatch diff`, landed with `merge` or discarded with `drop` (core/changes.py).

A real repo made by each test (Seed A's invoices example, with uncommitted user changes in it); the real
Claude Code, Codex and Gemini CLIs against the fake APIs on 127.0.0.1, and `command` agents that are small
Python scripts, for the git cases that do not need a model.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
import tomli_w

from tests.agents.clis import AGENTS, Setup, fake_for
from tests.fakes.model_apis import Turn
from tests.helpers import ROOT, dispatch, write
from tests.invoices_repo import INVOICES, REFACTORED, REPLY, SPEC, TESTS, git, make_repo, tree_state

SHELL_TOOL = {
    "claude-code": ("Bash", "command"),
    "codex": ("exec_command", "cmd"),
    "gemini": ("run_shell_command", "command"),
}
"""Each agent's own shell tool, as its CLI declares it to the model, and the argument holding the command."""
QUICK = SPEC.replace(SPEC.split("Run: ")[1], "true\n")
"""The spec with a verify step that costs nothing, for the git cases (the Seed A tests run the real pytest)."""
REFACTOR = f"from pathlib import Path\nPath('src/invoices.py').write_text({REFACTORED!r})\nprint({REPLY!r})\n"


def command_agent(home: Path, script: str, name: str = "edit") -> None:
    """A `command` agent that runs `script` (Python) in its working directory."""
    path = write(home.parent / f"{name}.py", script)
    config = home / "config.toml"
    models = tomllib.loads(config.read_text()) if config.exists() else {"models": {}}
    models["models"][name] = {"backend": "command", "args": [sys.executable, str(path)]}
    write(config, tomli_w.dumps(models))


def run_spec(tmp_path: Path, repo: Path, *args: str, slug: str = "inv", model: str = "edit", spec: str = QUICK):
    path = write(tmp_path / f"{slug}.md", spec)
    return dispatch(
        "run", "--spec", str(path), "--model", model, "--slug", slug, "--cwd", str(repo), "--json", *args, timeout=180
    )


def record(envelope: dict) -> dict:
    return json.loads(Path(envelope["audit_path"]).read_text())


@pytest.mark.parametrize("agent", AGENTS)
def test_seed_a_an_agent_refactors_in_a_worktree_and_merge_lands_it(
    agent: str, tmp_path: Path, projects_dir: Path
) -> None:
    repo = make_repo(tmp_path / "repo")
    before = tree_state(repo)
    script = write(tmp_path / "refactor.py", REFACTOR)
    tool, argument = SHELL_TOOL[agent]
    turns = [Turn(tool=tool, args={argument: f"{sys.executable} {script}"}), Turn(text=REPLY)]
    with fake_for(agent, turns) as api:
        Setup(agent, api, tmp_path / "agent-home").write_config(tmp_path / "home")
        result = run_spec(tmp_path, repo, "--permission", "bypass", model="agent", spec=SPEC)
    assert result.code == 0, result.stderr + result.stdout
    envelope = result.json()
    tree = envelope["worktree"]
    assert Path(tree["path"]).parent == projects_dir / "inv" / "worktrees"
    assert tree["branch"] == f"dispatch/inv/{envelope['run_id']}" and tree["repo"] == str(repo.resolve())
    assert record(envelope)["request"]["cwd"] == tree["path"], "the agent ran in its worktree"
    assert tree_state(repo) == before, "the user's tree, index and branch are untouched"
    assert git(repo, "show", f"{tree['branch']}:src/invoices.py") == REFACTORED
    changes = envelope["changes"]
    assert [(f["path"], f["status"]) for f in changes["files"]] == [("src/invoices.py", "modified")]
    assert changes["insertions"] == 2 and changes["deletions"] == 2
    assert "+    return [field.strip()" in Path(changes["patch"]).read_text()
    assert envelope["verify"]["passed"] is True and "1 passed" in envelope["verify"]["output_tail"]

    shown = dispatch("diff", "--slug", "inv")
    assert shown.code == 0 and '+    return [field.strip() for field in text.split(",")]' in shown.stdout
    assert "\x1b[" not in shown.stdout, "plain when piped"
    assert "src/invoices.py | 4" in dispatch("diff", "--slug", "inv", "--stat").stdout

    merged = dispatch("merge", "--slug", "inv", "--json")
    assert merged.code == 0, merged.stderr
    assert merged.json()["mode"] == "fast-forward"
    assert (repo / "src" / "invoices.py").read_text() == REFACTORED
    assert "# a note the user has not committed" in (repo / "tests" / "test_invoices.py").read_text()
    assert (repo / "scratch.txt").exists() and git(repo, "branch", "--show-current") == "main\n"
    log = [
        json.loads(line)
        for line in (projects_dir / "inv" / ".dispatch-logs" / "changes.jsonl").read_text().splitlines()
    ]
    assert [entry["action"] for entry in log] == ["created", "captured", "merged"]


def test_resume_continues_in_the_same_worktree(tmp_path: Path, projects_dir: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    script = write(tmp_path / "refactor.py", REFACTOR)
    note = write(
        tmp_path / "note.py", "from pathlib import Path\nPath('NOTES.md').write_text('empty input fixed\\n')\n"
    )
    turns = [
        Turn(tool="Bash", args={"command": f"{sys.executable} {script}"}),
        Turn(text=f"first pass: {REPLY}"),
        Turn(tool="Bash", args={"command": f"{sys.executable} {note}"}),
        Turn(text=f"second pass: {REPLY}"),
    ]
    with fake_for("claude-code", turns) as api:
        Setup("claude-code", api, tmp_path / "agent-home").write_config(tmp_path / "home")
        first = run_spec(tmp_path, repo, "--permission", "bypass", model="agent")
        assert first.code == 0, first.stderr
        second = dispatch(
            "resume",
            "--slug",
            "inv",
            "--prompt",
            "The test for empty input fails; fix it.",
            "--permission",
            "bypass",
            "--json",
            timeout=180,
        )
    assert second.code == 0, second.stderr
    one, two = first.json(), second.json()
    assert two["session_id"] == one["session_id"] and two["worktree"] == one["worktree"]
    assert record(two)["request"]["cwd"] == one["worktree"]["path"]
    assert "first pass" in json.dumps(api.model_calls[-1].body), "Claude Code resumed its session"
    branch = one["worktree"]["branch"]
    assert git(repo, "show", f"{branch}:NOTES.md") == "empty input fixed\n"
    assert git(repo, "show", f"{branch}:src/invoices.py") == REFACTORED
    assert {f["path"] for f in two["changes"]["files"]} == {"src/invoices.py", "NOTES.md"}


def test_drop_removes_the_worktree_and_branch_and_prunes_one_deleted_by_hand(tmp_path: Path, isolated: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    command_agent(isolated / "home", REFACTOR)
    first = run_spec(tmp_path, repo).json()
    second = run_spec(tmp_path, repo).json()
    assert first["worktree"]["branch"] != second["worktree"]["branch"], "each run gets its own branch"
    status = dispatch("status", "--slug", "inv", "--json").json()
    assert [w["branch"] for w in status["worktrees"]] == [first["worktree"]["branch"], second["worktree"]["branch"]]
    assert all(w["exists"] and w["state"] == "review" for w in status["worktrees"])
    dropped = dispatch("drop", "--slug", "inv", "--json")
    assert dropped.code == 0 and dropped.json()["dropped"] is True
    assert not Path(second["worktree"]["path"]).exists()
    assert second["worktree"]["branch"] not in git(repo, "branch", "--list", "dispatch/*")
    subprocess.run(["rm", "-rf", first["worktree"]["path"]], check=True)
    pruned = dispatch("drop", "--slug", "inv", "--run", first["run_id"])
    assert pruned.code == 0, pruned.stderr
    assert git(repo, "branch", "--list", "dispatch/*") == "" and git(repo, "worktree", "list").count("\n") == 1
    assert "patch kept in the trail" in dispatch("diff", "--slug", "inv", "--run", first["run_id"]).stderr
    states = {w["branch"]: w["state"] for w in dispatch("status", "--slug", "inv", "--json").json()["worktrees"]}
    assert set(states.values()) == {"dropped"}


def test_a_repo_moved_away_is_named_not_called_a_missing_git(tmp_path: Path, isolated: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    command_agent(isolated / "home", REFACTOR)
    assert run_spec(tmp_path, repo).code == 0
    repo.rename(tmp_path / "moved")
    for command in ("diff", "merge", "drop"):
        result = dispatch(command, "--slug", "inv")
        assert result.code == 1 and f"{repo} is not there any more" in result.stderr, result.stderr
        assert "not installed" not in result.stderr


def test_rm_removes_the_worktrees_but_keeps_and_names_their_branches(tmp_path: Path, isolated: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    command_agent(isolated / "home", REFACTOR)
    first, second = run_spec(tmp_path, repo).json(), run_spec(tmp_path, repo).json()
    dropped = dispatch("drop", "--slug", "inv", "--run", second["run_id"])
    assert dropped.code == 0, dropped.stderr
    removed = dispatch("rm", "--slug", "inv", "--yes")
    assert removed.code == 0, removed.stderr
    branch = first["worktree"]["branch"]
    assert not Path(first["worktree"]["path"]).exists() and git(repo, "worktree", "list").count("\n") == 1
    assert git(repo, "branch", "--list", "dispatch/*").split() == [branch], "unlanded work is never deleted"
    assert f"kept 1 branch in {repo.resolve()}" in removed.stderr and f"branch -D {branch}" in removed.stderr
    assert second["worktree"]["branch"] not in removed.stderr, "a dropped run's branch is gone, not 'kept'"


def test_a_conflict_stops_the_merge_and_changes_nothing(tmp_path: Path, isolated: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    command_agent(isolated / "home", REFACTOR)
    assert run_spec(tmp_path, repo).code == 0
    (repo / "src" / "invoices.py").write_text(INVOICES.replace("text.split", "text.rstrip().split"))
    git(repo, "commit", "-q", "-m", "the user's own change", "--", "src/invoices.py")
    before = tree_state(repo)
    merged = dispatch("merge", "--slug", "inv")
    assert merged.code == 1 and "src/invoices.py" in merged.stderr and "conflict" in merged.stderr
    assert len(merged.stderr.strip().splitlines()) == 1
    assert tree_state(repo) == before and not (repo / ".git" / "MERGE_HEAD").exists()


def test_merge_never_overwrites_uncommitted_changes(tmp_path: Path, isolated: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    command_agent(isolated / "home", REFACTOR)
    assert run_spec(tmp_path, repo).code == 0
    (repo / "src" / "invoices.py").write_text(INVOICES + "# being edited by the user\n")
    before = tree_state(repo)
    merged = dispatch("merge", "--slug", "inv")
    assert merged.code == 1 and "src/invoices.py" in merged.stderr and "Traceback" not in merged.stderr
    assert tree_state(repo) == before


@pytest.mark.parametrize("flags, parents", [((), 2), (("--squash",), 1)])
def test_merge_or_squash_when_the_branch_moved_on(
    flags: tuple[str, ...], parents: int, tmp_path: Path, isolated: Path
) -> None:
    repo = make_repo(tmp_path / "repo")
    command_agent(isolated / "home", REFACTOR)
    assert run_spec(tmp_path, repo).code == 0
    write(repo / "README.md", "invoices\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "-q", "-m", "a readme", "--", "README.md")
    merged = dispatch("merge", "--slug", "inv", *flags, "--json")
    assert merged.code == 0, merged.stderr
    assert merged.json()["mode"] == ("squash" if flags else "merge")
    assert len(git(repo, "log", "-1", "--format=%P").split()) == parents
    assert (repo / "src" / "invoices.py").read_text() == REFACTORED and (repo / "README.md").exists()
    assert "# a note the user has not committed" in (repo / "tests" / "test_invoices.py").read_text()


BARRIER = """\
import pathlib, sys, time
here = pathlib.Path({barrier!r})
(here / {name!r}).write_text("started")
deadline = time.monotonic() + 60
while len(list(here.iterdir())) < 2 and time.monotonic() < deadline:
    time.sleep(0.05)
pathlib.Path({name!r} + ".txt").write_text("written by " + {name!r})
print("```python\\ndef parse_invoice(text):\\n    return text.split(',')\\n```")
sys.exit(0 if len(list(here.iterdir())) == 2 else 3)
"""


def test_two_agents_on_one_repo_run_at_once_each_in_its_own_worktree(tmp_path: Path, isolated: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    for name in ("alpha", "beta"):
        command_agent(isolated / "home", BARRIER.format(barrier=str(barrier), name=name), name=name)
    spec = write(tmp_path / "task.md", QUICK)
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "core",
                "run",
                "--spec",
                str(spec),
                "--model",
                name,
                "--slug",
                name,
                "--cwd",
                str(repo),
                "--json",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        for name in ("alpha", "beta")
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    for run, (_, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err
    envelopes = [json.loads(out) for out, _ in outputs]
    assert [[f["path"] for f in e["changes"]["files"]] for e in envelopes] == [["alpha.txt"], ["beta.txt"]]
    assert len({e["worktree"]["path"] for e in envelopes}) == 2


def test_a_cwd_outside_git_says_why_and_in_place_works_there(
    tmp_path: Path, isolated: Path, projects_dir: Path
) -> None:
    plain = tmp_path / "plain"
    write(plain / "src" / "invoices.py", INVOICES)
    write(plain / "tests" / "test_invoices.py", TESTS)
    command_agent(isolated / "home", REFACTOR.replace("src/invoices.py", "out.py"))
    scratch = run_spec(tmp_path, plain)
    assert scratch.code == 0, scratch.stderr
    assert "no worktree without git" in scratch.stderr and "--in-place" in scratch.stderr
    assert (projects_dir / "inv" / "out.py").exists() and not (plain / "out.py").exists()
    assert scratch.json()["workdir"]["mode"] == "project" and "changes" not in scratch.json()
    in_place = run_spec(tmp_path, plain, "--in-place")
    assert in_place.code == 0, in_place.stderr
    assert (plain / "out.py").read_text() == REFACTORED and in_place.json()["workdir"] == {
        "mode": "in_place",
        "path": str(plain.resolve()),
    }


def test_an_agent_that_changes_nothing_is_recorded_as_such(tmp_path: Path, isolated: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    command_agent(isolated / "home", f"print('looked, changed nothing; the function stays:', {REPLY!r})\n")
    result = run_spec(tmp_path, repo)
    assert result.code == 0, result.stderr
    changes = result.json()["changes"]
    assert changes["files"] == [] and changes["patch"] is None and changes["head"] == changes["base"]
    assert "no changes on" in result.stderr


def test_an_unknown_base_is_one_usage_line(tmp_path: Path, isolated: Path, projects_dir: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    command_agent(isolated / "home", REFACTOR)
    result = run_spec(tmp_path, repo, "--base", "no-such-branch")
    assert result.code == 2 and "no-such-branch" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not list((projects_dir / "inv" / ".dispatch-logs").glob("*-result.json"))


def test_a_review_reads_the_worktree_and_changes_nothing(tmp_path: Path, isolated: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    command_agent(isolated / "home", REFACTOR)
    command_agent(
        isolated / "home",
        "from pathlib import Path\nprint('VERDICT: pass')\n"
        "print('- saw', Path('src/invoices.py').read_text().splitlines()[-1].strip())\n",
        name="checker",
    )
    run = run_spec(tmp_path, repo).json()
    review = dispatch("review", "--slug", "inv", "--model", "checker", "--json", timeout=120)
    assert review.code == 0, review.stderr
    envelope = review.json()
    assert envelope["verdict"] == "pass" and "field.strip() for field" in envelope["result"]
    assert record(envelope)["request"]["cwd"] == run["worktree"]["path"] and "changes" not in envelope
    assert git(repo, "rev-parse", run["worktree"]["branch"]) == git(repo, "rev-parse", run["changes"]["head"])


STALLS = """\
import os, pathlib, time
pathlib.Path('src/invoices.py').write_text('def parse_invoice(text):\\n    return []\\n')
pathlib.Path({marker!r}).write_text(str(os.getpid()))
time.sleep(120)
"""


def test_a_run_killed_mid_way_loses_nothing_and_drop_still_cleans_up(tmp_path: Path, isolated: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    marker = tmp_path / "agent.pid"
    command_agent(isolated / "home", STALLS.format(marker=str(marker)))
    spec = write(tmp_path / "task.md", QUICK)
    runner = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "core",
            "run",
            "--spec",
            str(spec),
            "--model",
            "edit",
            "--slug",
            "inv",
            "--cwd",
            str(repo),
            "--json",
        ],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() or not marker.read_text():
            assert runner.poll() is None and time.monotonic() < deadline, "the agent never started"
            time.sleep(0.05)
    finally:
        runner.kill()
        runner.wait()
        if marker.exists() and marker.read_text():
            os.kill(int(marker.read_text()), signal.SIGKILL)
    status = dispatch("status", "--slug", "inv", "--json").json()
    assert status["last_run"]["status"] == "interrupted"
    [tree] = status["worktrees"]
    assert tree["state"] == "not captured" and tree["exists"]
    assert "M src/invoices.py" in git(Path(tree["path"]), "status", "--porcelain"), "the agent's edit is still there"
    assert dispatch("drop", "--slug", "inv").code == 0
    assert not Path(tree["path"]).exists() and git(repo, "branch", "--list", "dispatch/*") == ""


def test_merging_work_that_failed_its_check_says_so(tmp_path: Path, isolated: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    command_agent(isolated / "home", REFACTOR)
    failed = run_spec(tmp_path, repo, spec=QUICK.replace("Run: true", "Run: false"))
    assert failed.code == 1 and failed.json()["reason"] == "verify_failed"
    assert failed.json()["changes"]["files"], "the changes are kept for review even when the check failed"
    merged = dispatch("merge", "--slug", "inv")
    assert merged.code == 0 and "failed its verification" in merged.stderr


@pytest.mark.parametrize("absolute", [False, True])
def test_without_cwd_the_repo_the_inputs_name_gets_the_worktree(absolute: bool, tmp_path: Path, isolated: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    command_agent(isolated / "home", REFACTOR)
    spec = QUICK.replace("`src/invoices.py`", f"`{repo / 'src' / 'invoices.py'}`" if absolute else "`src/invoices.py`")
    path = write(tmp_path / "task.md", spec)
    result = dispatch(
        "run",
        "--spec",
        str(path),
        "--model",
        "edit",
        "--slug",
        "inv",
        "--json",
        cwd=tmp_path if absolute else repo,
        env={"PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert result.code == 0, result.stderr
    envelope = result.json()
    assert envelope["worktree"]["repo"] == str(repo.resolve()) and envelope["workdir"]["mode"] == "worktree"
    assert [f["path"] for f in envelope["changes"]["files"]] == ["src/invoices.py"]


def test_a_worktree_deleted_by_hand_comes_back_at_the_same_path(tmp_path: Path, isolated: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    command_agent(isolated / "home", REFACTOR)
    command_agent(isolated / "home", "import os\nprint('VERDICT: pass')\nprint('- in', os.getcwd())\n", name="checker")
    run = run_spec(tmp_path, repo).json()
    subprocess.run(["rm", "-rf", run["worktree"]["path"]], check=True)
    review = dispatch("review", "--slug", "inv", "--model", "checker", "--json", timeout=120)
    assert review.code == 0, review.stderr
    assert run["worktree"]["path"] in review.json()["result"]
    assert (Path(run["worktree"]["path"]) / "src" / "invoices.py").read_text() == REFACTORED


CHECK_SEES = """\
import json, pathlib, subprocess, sys
def git(*args):
    return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout
seen = {"head": git("rev-parse", "HEAD").strip(), "status": git("status", "--porcelain", "--untracked-files=all"),
        "invoices": pathlib.Path("src/invoices.py").read_text()}
pathlib.Path(sys.argv[1]).write_text(json.dumps(seen))
with open("src/invoices.py", "a") as handle:
    handle.write("# reformatted by the check\\n")
"""


def test_verify_checks_exactly_the_captured_changes(tmp_path: Path, isolated: Path) -> None:
    """The agent's edits are committed before the verify command runs, so it sees them, on a clean checkout of the
    recorded head: the recorded diff is what was verified, and what the check itself wrote is named, not added."""
    repo = make_repo(tmp_path / "repo")
    command_agent(isolated / "home", REFACTOR)
    check, seen = write(tmp_path / "check.py", CHECK_SEES), tmp_path / "seen.json"
    result = run_spec(tmp_path, repo, spec=QUICK.replace("Run: true", f"Run: {sys.executable} {check} {seen}"))
    assert result.code == 0, result.stderr
    envelope, state = result.json(), json.loads(seen.read_text())
    assert state["invoices"] == REFACTORED, "the check saw the agent's change"
    assert state["head"] == envelope["changes"]["head"] and state["status"] == "", (
        "on the recorded commit, nothing else"
    )
    assert "reformatted by the check" not in Path(envelope["changes"]["patch"]).read_text()
    assert git(repo, "show", f"{envelope['changes']['head']}:src/invoices.py") == REFACTORED
    assert envelope["verify"]["left_changes"] == ["src/invoices.py"]
    assert "not in the recorded diff" in result.stderr


def test_paths_with_spaces_work_for_the_repo_the_worktree_and_the_check(tmp_path: Path, isolated: Path) -> None:
    repo = make_repo(tmp_path / "my repo")
    command_agent(isolated / "home", REFACTOR)
    check, seen = write(tmp_path / "a check" / "check.py", CHECK_SEES), tmp_path / "a check" / "seen.json"
    projects = tmp_path / "my projects"
    spec = write(tmp_path / "the task.md", QUICK.replace("Run: true", f'Run: "{sys.executable}" "{check}" "{seen}"'))
    result = dispatch(
        "run",
        "--spec",
        str(spec),
        "--model",
        "edit",
        "--slug",
        "inv",
        "--cwd",
        str(repo),
        "--json",
        env={"DISPATCH_PROJECTS_DIR": str(projects)},
        timeout=120,
    )
    assert result.code == 0, result.stderr
    envelope = result.json()
    assert Path(envelope["worktree"]["path"]).parent == projects / "inv" / "worktrees"
    assert envelope["worktree"]["repo"] == str(repo.resolve()) and envelope["verify"]["passed"] is True
    assert json.loads(seen.read_text())["invoices"] == REFACTORED
    assert [f["path"] for f in envelope["changes"]["files"]] == ["src/invoices.py"]
    shown = dispatch("diff", "--slug", "inv", env={"DISPATCH_PROJECTS_DIR": str(projects)})
    assert shown.code == 0 and "+    return [field.strip()" in shown.stdout
    merged = dispatch("merge", "--slug", "inv", env={"DISPATCH_PROJECTS_DIR": str(projects)})
    assert merged.code == 0, merged.stderr
    assert (repo / "src" / "invoices.py").read_text() == REFACTORED
