"""Reading a batch: spec files, directories, globs, JSONL and CSV manifests, templates; every bad row reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.batch import manifest
from core.errors import UsageError
from tests.helpers import GOOD_SPEC, write


def test_files_directories_and_globs_in_order(tmp_path: Path) -> None:
    write(tmp_path / "specs" / "b.md", GOOD_SPEC)
    write(tmp_path / "specs" / "a.md", GOOD_SPEC)
    write(tmp_path / "specs" / "notes.json", "{}")
    write(tmp_path / "one.md", GOOD_SPEC)
    items = manifest.from_paths(
        [str(tmp_path / "one.md"), str(tmp_path / "specs"), str(tmp_path / "specs" / "[ab].md")]
    )
    assert [Path(i.source).name for i in items] == ["one.md", "a.md", "b.md", "a.md", "b.md"]
    assert [i.index for i in items] == [1, 2, 3, 4, 5]
    assert all(i.spec_text == GOOD_SPEC and i.problem is None for i in items)


def test_a_missing_path_or_empty_glob_is_one_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        manifest.from_paths([str(tmp_path / "nope.md")])
    with pytest.raises(UsageError, match="no file matches"):
        manifest.from_paths([str(tmp_path / "*.md")])


def test_jsonl_rows_with_paths_text_prompts_vars_and_problems(tmp_path: Path) -> None:
    write(tmp_path / "task.md", GOOD_SPEC)
    rows = [
        {"spec": "task.md", "slug": "alpha", "model": "m1"},
        {"spec": "Goal: classify {ticket} as bug or feature.", "vars": {"ticket": "T-9"}, "tier": "general"},
        {"prompt": "Say hello in French.", "task_type": "general"},
        {"spec": "missing.md"},
        {"slug": "Bad Slug", "prompt": "x"},
        {"vars": "not an object", "prompt": "x"},
        {"model": 3, "prompt": "x"},
        {},
    ]
    text = "\n".join(json.dumps(r) for r in rows) + "\n\nthis is not json\n[1, 2]\n"
    items = manifest.from_paths([str(write(tmp_path / "work.jsonl", text))])
    assert items[0].spec_text == GOOD_SPEC and items[0].slug == "alpha" and items[0].model == "m1"
    assert items[1].spec_text == "Goal: classify T-9 as bug or feature." and items[1].tier == "general"
    assert items[2].prompt == "Say hello in French." and items[2].text == "Say hello in French."
    problems = [i.problem for i in items[3:]]
    assert "spec file not found" in problems[0]
    assert "invalid slug" in problems[1]
    assert "vars must be an object" in problems[2]
    assert "model must be text" in problems[3]
    assert "neither spec nor prompt" in problems[4]
    assert "not valid JSON" in problems[5] and items[8].source.endswith(":10")
    assert "not an object" in problems[6]


def test_csv_manifest_columns_and_ragged_rows(tmp_path: Path) -> None:
    text = 'prompt,slug,lang\n"Translate ""hi"" into {lang}, please",greet,German\nx,y\nonly,three,cells,four\n'
    items = manifest.from_paths([str(write(tmp_path / "work.csv", text))])
    assert items[0].prompt == 'Translate "hi" into {lang}, please' and items[0].slug == "greet"
    assert items[1].problem is None and items[1].prompt == "x"
    assert "cells" in (items[2].problem or "")


def test_template_filled_from_csv_rows_and_missing_vars_reported(tmp_path: Path) -> None:
    template = write(
        tmp_path / "classify.md",
        GOOD_SPEC.replace("three numbered points", "{count} points of {ticket}") + "\nKeep {{braces}} literal.\n",
    )
    rows = write(tmp_path / "tickets.csv", "ticket,count\nT-1,3\nT-2,\n")
    items = manifest.from_template(template, rows)
    assert "3 points of T-1" in items[0].spec_text and "Keep {braces} literal." in items[0].spec_text
    assert "2 points" not in items[1].spec_text and items[1].problem is None  # an empty cell is a value
    missing = manifest.from_template(template, write(tmp_path / "few.csv", "ticket\nT-3\n"))
    assert "{count}" in (missing[0].problem or "")
    jsonl = manifest.from_template(
        template, write(tmp_path / "rows.jsonl", json.dumps({"vars": {"ticket": "T", "count": 1}}))
    )
    assert "1 points of T" in jsonl[0].spec_text


def test_slugs_from_goals_do_not_collide(tmp_path: Path) -> None:
    items = [manifest.Item(n, "x", spec_text="Goal: classify the ticket.") for n in range(1, 4)]
    items.append(manifest.Item(4, "x", spec_text="Goal: other", slug="classify-the-ticket-2"))
    manifest.assign_slugs(items)
    slugs = [i.slug for i in items]
    assert slugs[3] == "classify-the-ticket-2" and len(set(slugs)) == 4
    assert slugs[0] == "classify-the-ticket"


def test_garbage_files_are_refused_in_one_line(tmp_path: Path) -> None:
    binary = tmp_path / "junk.jsonl"
    binary.write_bytes(b"\xff\xfe" * 1000)
    with pytest.raises(UsageError, match="not UTF-8"):
        manifest.from_paths([str(binary)])
    huge = write(tmp_path / "huge.csv", "prompt\n" + '"' + "a" * 300_000 + '"\n')
    assert manifest.from_paths([str(huge)])[0].prompt == "a" * 300_000
    with pytest.raises(UsageError, match="no rows"):
        manifest.from_paths([str(write(tmp_path / "empty.jsonl", "\n\n"))])


def test_a_one_line_spec_longer_than_a_file_name_is_text_not_a_crash(tmp_path: Path) -> None:
    inline = "Goal: summarise the release notes for the team " + "x" * 300
    items = manifest.from_paths([str(write(tmp_path / "work.jsonl", json.dumps({"spec": inline}) + "\n"))])
    assert items[0].problem is None and items[0].spec_text == inline


def test_a_byte_order_mark_a_spreadsheet_wrote_is_not_part_of_the_first_column_or_row(tmp_path: Path) -> None:
    template = write(tmp_path / "classify.md", GOOD_SPEC.replace("three numbered points", "the points of {ticket}"))
    rows = tmp_path / "tickets.csv"
    rows.write_bytes(b"\xef\xbb\xbfticket,slug\r\nT-1,t1\r\n")
    items = manifest.from_template(template, rows)
    assert items[0].problem is None and "the points of T-1" in items[0].spec_text and items[0].slug == "t1"
    jsonl = tmp_path / "work.jsonl"
    jsonl.write_bytes(b"\xef\xbb\xbf" + json.dumps({"prompt": "Say hello."}).encode() + b"\r\n")
    assert manifest.from_paths([str(jsonl)])[0].prompt == "Say hello."


def test_a_csv_cell_over_the_limit_names_its_line_and_what_to_do(tmp_path: Path) -> None:
    rows = write(tmp_path / "big.csv", 'prompt\nhello\n"' + "x" * (manifest.MAX_FIELD + 1) + '"\n')
    with pytest.raises(UsageError) as caught:
        manifest.from_paths([str(rows)])
    assert "big.csv line 3: a cell is over 16 MB" in caught.value.message and "in a file" in caught.value.hint


def test_a_row_holding_a_lone_surrogate_escape_is_rejected_not_a_crash(tmp_path: Path) -> None:
    """JSON allows `\\ud800` alone; no run file can hold it, so the row is refused as a single run's non-UTF-8 text
    is, while a pair of escapes is one character and reads as text."""
    lines = [
        '{"prompt": "Write a greeting \\ud800 for users."}',
        '{"spec": "x", "vars": {"name": "\\udfff"}}',
        '{"prompt": "A smile \\ud83d\\ude00 is fine."}',
    ]
    items = manifest.from_paths([str(write(tmp_path / "sur.jsonl", "\n".join(lines) + "\n"))])
    assert [bool(i.problem and "lone surrogate" in i.problem) for i in items] == [True, True, False]
    assert items[2].prompt == "A smile \U0001f600 is fine."
