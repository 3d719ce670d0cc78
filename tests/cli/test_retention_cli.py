"""`dispatch prune` and `dispatch rm` over trails made by the real CLI (the fake OpenAI server on 127.0.0.1): files and
index rows go together, the hash chain still verifies across what went, and a running project is never touched."""

from __future__ import annotations

import json
from pathlib import Path

from core.audit import chain
from core.audit.index import Index
from core.audit.store import Project
from tests.agents.test_worktrees import REFACTOR, command_agent, run_spec
from tests.cli.test_audit_cli import held_run, make_runs
from tests.cli.test_export_cli import on_a_terminal
from tests.helpers import dispatch, write
from tests.invoices_repo import make_repo


def indexed(slug: str) -> list[str]:
    with Index.open() as index:
        return sorted(row.run_id for row in index.runs(slug, limit=-1))


def test_prune_keeps_the_newest_and_the_young_and_the_chain_verifies_across_the_hole(tmp_path: Path) -> None:
    run_ids = make_runs(tmp_path, "old-work", 4)
    young = dispatch("prune", "--older-than", "1d", "--slug", "old-work")
    assert young.code == 0 and young.stdout == "pruned       old-work  0 runs\n", young.stdout + young.stderr

    dry = dispatch("prune", "--older-than", "0h", "--slug", "old-work", "--keep-last", "1", "--dry-run")
    assert dry.code == 0 and dry.stdout == f"would prune  old-work  3 runs: {', '.join(run_ids[:3])}\n"
    assert Project.at("old-work").run_ids() == run_ids, "a dry run removes nothing"

    pruned = dispatch("prune", "--older-than", "0h", "--slug", "old-work", "--keep-last", "1", "--json")
    assert pruned.code == 0, pruned.stderr
    [report] = pruned.json()
    assert report["run_ids"] == run_ids[:3]
    project = Project.at("old-work")
    assert project.run_ids() == run_ids[3:] and indexed("old-work") == run_ids[3:]
    assert not [p for p in project.logs.iterdir() if any(r in p.name for r in run_ids[:3])], "events files go too"
    assert project.meta()["counts"]["runs"] == 1
    tombstone = json.loads(Path(report["tombstone"]).read_text())
    assert [r["run_id"] for r in tombstone["removed"]] == run_ids[:3] and "@" in tombstone["by"] and tombstone["at"]
    assert [r["seq"] for r in tombstone["removed"]] == [1, 2, 3] and tombstone["chain"]["seq"] == 5

    verified = dispatch("audit", "verify", "--slug", "old-work")
    assert verified.code == 0, verified.stdout
    assert verified.stdout == "ok        old-work  1 chained, 3 removed under tombstones\n"
    make_runs(tmp_path, "old-work", 1)
    assert (
        dispatch("audit", "verify", "--slug", "old-work").stdout
        == "ok        old-work  2 chained, 3 removed under tombstones\n"
    )

    Path(report["tombstone"]).unlink()
    gone = dispatch("audit", "verify", "--slug", "old-work")
    assert (
        gone.code == 1 and "missing   old-work  seq 1:" in gone.stdout and "missing   old-work  seq 5:" in gone.stdout
    )


def test_a_prune_killed_between_moving_the_head_and_writing_its_tombstone_leaves_a_trail_that_verifies(
    tmp_path: Path,
) -> None:
    make_runs(tmp_path, "half-pruned", 2)
    logs = Project.at("half-pruned").logs
    name = chain.tombstone_name(chain.next_seq(logs))
    chain.seal(logs, name, {"kind": "tombstone", "status": "removed", "removed": []})  # then the kill: no tombstone
    assert json.loads((logs / chain.HEAD).read_text())["name"] == name and not (logs / name).exists()
    verified = dispatch("audit", "verify", "--slug", "half-pruned")
    assert verified.stdout == "ok        half-pruned  2 chained\n", verified.stdout
    make_runs(tmp_path, "half-pruned", 1)
    verified = dispatch("audit", "verify", "--slug", "half-pruned")
    assert verified.stdout == "ok        half-pruned  3 chained\n", "the next run takes the place the tombstone left"
    (logs / json.loads((logs / chain.HEAD).read_text())["name"]).unlink()
    assert "missing" in dispatch("audit", "verify", "--slug", "half-pruned").stdout, "a deleted newest run still shows"


def test_prune_applies_the_configs_retention_policy(isolated: Path) -> None:
    make_runs(isolated, "policy", 3)
    refused = dispatch("prune", "--slug", "policy")
    assert refused.code == 2 and "prune needs an age" in refused.stderr and len(refused.stderr.splitlines()) == 1
    write(isolated / "home" / "config.toml", '[retention]\nolder_than = "0h"\nkeep_last = 2\n')
    applied = dispatch("prune", "--slug", "policy")
    assert applied.code == 0 and applied.stdout == "pruned       policy  1 runs\n", applied.stderr
    assert len(Project.at("policy").run_ids()) == 2
    bad_flag = dispatch("prune", "--slug", "policy", "--older-than", "3x")
    assert bad_flag.code == 2 and "'3x' is not an age" in bad_flag.stderr
    write(isolated / "home" / "config.toml", '[retention]\nolder_than = "90 days"\n')
    bad = dispatch("prune", "--slug", "policy")
    assert bad.code == 2 and "config.toml:2: retention.older_than must be an age such as 90d" in bad.stderr


def test_rm_asks_or_needs_yes_and_leaves_a_tombstone_verify_reads(tmp_path: Path) -> None:
    run_ids = make_runs(tmp_path, "scratch", 2)
    make_runs(tmp_path, "keeper", 1)
    unasked = dispatch("rm", "--slug", "scratch")
    assert unasked.code == 2 and "without confirmation" in unasked.stderr and "--yes" in unasked.stderr
    assert Project.at("scratch").exists()
    removed = dispatch("rm", "--slug", "scratch", "--yes", "--json")
    assert removed.code == 0, removed.stderr
    assert removed.json()["run_ids"] == run_ids and not Project.at("scratch").root.exists()
    assert indexed("scratch") == [] and [p["slug"] for p in dispatch("list", "--json").json()] == ["keeper"]
    tombstone = json.loads(Path(removed.json()["tombstone"]).read_text())
    assert tombstone["slug"] == "scratch" and [r["run_id"] for r in tombstone["removed"]] == run_ids
    assert tombstone["head"]["seq"] == 2

    verified = dispatch("audit", "verify")
    assert verified.code == 0, verified.stdout
    assert "ok        keeper  1 chained\n" in verified.stdout
    assert f"removed   scratch  2 runs, removed by {tombstone['by']} at {tombstone['at']}" in verified.stdout
    assert dispatch("audit", "verify", "--slug", "scratch").code == 0
    assert dispatch("rm", "--slug", "scratch", "--yes").code == 2, "no project any more"


def test_rm_on_a_terminal_asks_and_removes_only_on_yes(tmp_path: Path) -> None:
    make_runs(tmp_path, "asked", 1)
    kept = on_a_terminal("rm", "--slug", "asked", typed=b"n\n", code=1)
    assert "remove project 'asked' and its 1 runs? [y/N]" in kept and "was not removed" in kept
    assert Project.at("asked").exists()
    removed = on_a_terminal("rm", "--slug", "asked", typed=b"y\n")
    assert "removed      asked  1 runs" in removed and not Project.at("asked").root.exists()


def test_a_running_project_is_never_pruned_or_removed(tmp_path: Path) -> None:
    make_runs(tmp_path, "busy", 1)
    make_runs(tmp_path, "idle", 2)
    with held_run(tmp_path, "busy"):
        one = dispatch("prune", "--older-than", "0h", "--keep-last", "0", "--slug", "busy")
        assert one.code == 6 and "project 'busy' is running, so it cannot be pruned" in one.stderr
        gone = dispatch("rm", "--slug", "busy", "--yes")
        assert gone.code == 6 and "cannot be removed" in gone.stderr
        every = dispatch("prune", "--older-than", "0h", "--keep-last", "0")
        assert every.code == 6 and "skipped: project 'busy' is running" in every.stderr
        assert "pruned       idle  2 runs" in every.stdout
        assert len(Project.at("busy").run_ids()) == 2, "nothing of the running project went"
    assert dispatch("audit", "verify").code == 0


def test_prune_keeps_an_agent_run_whose_changes_wait_for_review(isolated: Path) -> None:
    repo = make_repo(isolated / "repo")
    command_agent(isolated / "home", REFACTOR)
    agent = run_spec(isolated, repo)
    assert agent.code == 0, agent.stderr
    run_id = agent.json()["run_id"]
    kept = dispatch("prune", "--older-than", "0h", "--keep-last", "0", "--slug", "inv")
    assert kept.code == 0, kept.stderr
    assert kept.stdout == (
        f"pruned       inv  0 runs (kept 1 whose changes wait for `dispatch merge` or `drop`: {run_id})\n"
    )
    assert dispatch("drop", "--slug", "inv").code == 0
    gone = dispatch("prune", "--older-than", "0h", "--keep-last", "0", "--slug", "inv")
    assert gone.stdout == "pruned       inv  1 runs\n" and Project.at("inv").run_ids() == []
    assert (
        dispatch("audit", "verify", "--slug", "inv").stdout == "ok        inv  0 chained, 1 removed under tombstones\n"
    )
