"""Records stay true: counts come from the files, the description is the project's own, names from the command
line are validated whole, and an escalation names the run it started."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from core.audit.store import Project
from core.fsutil import atomic_write_json, read_json_lines
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import GOOD_SPEC, dispatch, write


@pytest.fixture
def server():
    with FakeOpenAI([Reply(text="an answer")]) as fake:
        yield fake


def run(server: FakeOpenAI, spec: Path, *args: str):
    return dispatch("run", "--spec", str(spec), "--json", *args, env={"DISPATCH_BASE_URL": server.base_url})


def test_counts_are_derived_from_the_files_after_a_kill_between_two_writes(isolated: Path, server: FakeOpenAI) -> None:
    spec = write(isolated / "task.md", GOOD_SPEC)
    first = run(server, spec, "--slug", "job").json()
    project = Project.at("job")
    # What a kill -9 after the result file's write and before project.json's leaves behind.
    copy = {**json.loads(Path(first["audit_path"]).read_text()), "run_id": "20260101-000000-1-1"}
    atomic_write_json(project.result_path(copy["run_id"]), copy)
    assert project.meta()["counts"]["runs"] == 1
    assert dispatch("status", "--slug", "job", "--json").code == 0
    assert project.meta()["counts"]["runs"] == 2 and project.meta()["counts"]["ok"] == 2


def test_the_description_is_kept_and_each_run_is_indexed_alone(isolated: Path, server: FakeOpenAI) -> None:
    first = write(isolated / "one.md", GOOD_SPEC)
    second = write(
        isolated / "two.md",
        GOOD_SPEC.replace("Summarise the three numbered points below", "Translate the walrus notes below"),
    )
    run(server, first, "--slug", "job")
    later = run(server, second, "--slug", "job").json()
    meta = Project.at("job").meta()
    assert meta["description"].startswith("Summarise the three numbered points")
    hits = dispatch("search", "walrus", "--json").json()
    assert [h["run"]["run_id"] for h in hits] == [later["run_id"]]
    run(server, second, "--slug", "job", "--desc", "the walrus project")
    assert Project.at("job").meta()["description"] == "the walrus project"


@pytest.mark.parametrize(
    "args",
    [
        ("escalate", "--slug", "job", "--run", "../../../../../x", "--tier", "general"),
        ("escalate", "--slug", "job", "--run", "20261121-220000-1-1\n", "--primary", "--reason", "r"),
        ("resume", "--slug", "job", "--session", "../../etc/passwd", "--prompt", "go"),
        ("status", "--slug", "job\n"),
    ],
)
def test_names_from_the_command_line_are_validated_whole(
    isolated: Path, server: FakeOpenAI, args: tuple[str, ...]
) -> None:
    run(server, write(isolated / "task.md", GOOD_SPEC), "--slug", "job")
    outside = write(isolated / "projects" / "x-result.json", json.dumps({"spec": GOOD_SPEC, "run_id": "x"}))
    result = dispatch(*args, env={"DISPATCH_BASE_URL": server.base_url})
    assert result.code == 2 and "invalid" in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert len(server.requests) == 1 and outside.exists()


def test_a_slug_with_a_trailing_newline_makes_no_directory(isolated: Path, server: FakeOpenAI) -> None:
    result = run(server, write(isolated / "task.md", GOOD_SPEC), "--slug", "abc\n")
    assert result.code == 2 and "invalid slug" in result.stderr
    assert not (isolated / "projects").exists() or not list((isolated / "projects").iterdir())


def test_a_tier_escalation_records_the_run_it_started(isolated: Path, server: FakeOpenAI) -> None:
    first = run(server, write(isolated / "task.md", GOOD_SPEC), "--slug", "job").json()
    result = dispatch(
        "escalate", "--slug", "job", "--tier", "coding", "--json", env={"DISPATCH_BASE_URL": server.base_url}
    )
    envelope = result.json()
    assert result.code == 0, result.stderr
    assert envelope["parent_run_id"] == first["run_id"] and envelope["kind"] == "escalation"
    rows, _ = read_json_lines(Project.at("job").logs / "escalations.jsonl")
    assert rows[-1]["run_id"] == first["run_id"] and rows[-1]["new_run_id"] == envelope["run_id"]


def test_search_since_a_date_in_year_one_finds_every_run(isolated: Path, server: FakeOpenAI) -> None:
    """Year 1's first day has no day before it: the date facets once reached for one and raised OverflowError."""
    done = run(server, write(isolated / "task.md", GOOD_SPEC), "--slug", "job").json()
    for since in ("0001-01-01", "0001-01-01T00:00-05:00"):
        result = dispatch("search", "numbered", "--since", since, "--json")
        assert result.code == 0 and "Traceback" not in result.stderr, result.stderr
        assert [hit["run"]["run_id"] for hit in result.json()] == [done["run_id"]]


@pytest.mark.parametrize("age", ["999999d", "99999999999999d", "9" * 5000 + "d"])
@pytest.mark.parametrize("where", ["flag", "config"])
def test_an_age_older_than_any_date_prunes_nothing(isolated: Path, server: FakeOpenAI, age: str, where: str) -> None:
    """An age reaching back past year 1 (or past int()'s digit limit) is older than every run, not a traceback."""
    done = run(server, write(isolated / "task.md", GOOD_SPEC), "--slug", "job").json()
    if where == "config":
        write(isolated / "home" / "config.toml", f'[retention]\nolder_than = "{age}"\n')
    flags = ("--older-than", age) if where == "flag" else ()
    result = dispatch("prune", *flags, "--keep-last", "0", "--json")
    assert result.code == 0 and "Traceback" not in result.stderr, result.stderr
    assert result.json()[0]["run_ids"] == [] and Path(done["audit_path"]).is_file()


@pytest.mark.parametrize("content", ["[]", '{"slug": 5, "runs": "many"}', '{"counts": {"runs": "x"}}'])
def test_a_project_json_of_the_wrong_shape_is_unreadable_and_harms_no_other_project(
    isolated: Path, server: FakeOpenAI, content: str
) -> None:
    spec = write(isolated / "task.md", GOOD_SPEC)
    run(server, spec, "--slug", "good")
    run(server, spec, "--slug", "bad")
    write(Project.at("bad").meta_path, content)
    commands = [
        ("list", "--json"),
        ("status", "--slug", "good", "--json"),
        ("status", "--slug", "bad", "--json"),
        ("search", "numbered", "--json"),
        ("costs", "--json"),
        ("runs", "--slug", "bad", "--json"),
        ("show", "--slug", "bad", "--last"),
        ("export", "--slug", "bad", "--format", "md"),
        ("audit", "verify", "--json"),
        ("prune", "--older-than", "1h", "--dry-run", "--json"),
        ("reindex",),
    ]
    for args in commands:
        result = dispatch(*args)
        assert result.code == 0 and "Traceback" not in result.stderr, (args, result.stderr)
    assert {row["slug"] for row in dispatch("list", "--json").json()} == {"good", "bad"}
    assert run(server, spec, "--slug", "bad").code == 0  # a run rebuilds project.json, as for broken JSON


@pytest.mark.parametrize(
    "damage",
    [
        lambda record: [],
        lambda record: dict.fromkeys(("run_id", "usage", "attempts", "route", "contract", "chain", "status"), 1),
        lambda record: {**record, "duration_ms": 10**400},
        lambda record: {**record, "usage": {"input_tokens": 2**63, "output_tokens": 0}},
        lambda record: {**record, "attempts": [1]},
    ],
)
def test_a_run_record_of_the_wrong_shape_is_left_out_like_a_truncated_one(
    isolated: Path, server: FakeOpenAI, damage: Callable[[dict[str, Any]], Any]
) -> None:
    spec = write(isolated / "task.md", GOOD_SPEC)
    first = run(server, spec, "--slug", "job").json()
    later = run(server, spec, "--slug", "job").json()
    path = Path(first["audit_path"])
    path.write_text(json.dumps(damage(json.loads(path.read_text()))))
    assert dispatch("reindex").code == 0
    assert [row["run_id"] for row in dispatch("runs", "--slug", "job", "--json").json()] == [later["run_id"]]
    exported = dispatch("export", "--slug", "job", "--format", "md")
    assert exported.code == 0 and f"run {first['run_id']} is left out: its record cannot be read" in exported.stderr
    resumed = dispatch(
        "resume", "--slug", "job", "--prompt", "again", "--json", env={"DISPATCH_BASE_URL": server.base_url}
    )
    assert resumed.code == 0 and "Traceback" not in resumed.stderr, resumed.stderr
