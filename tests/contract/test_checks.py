"""Each family of Output-contract check, derived from the words an Output section uses, on an answer that keeps
the contract and on one that breaks it (core/contract)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import contract


def outcome(output: str, answer: str, **options: object) -> dict[str, tuple[bool | None, str]]:
    """rule -> (passed, detail) for every check the Output section yields on the answer."""
    report = contract.evaluate(contract.derive(output, **options), answer)
    return {check["rule"]: (check["passed"], check["detail"]) for check in report.checks}


def failed(output: str, answer: str, **options: object) -> list[str]:
    return [check["rule"] for check in contract.evaluate(contract.derive(output, **options), answer).failed]


# (Output section, an answer that keeps it, one that breaks it, the rule the second breaks)
CASES = [
    (
        "A JSON object with keys `name`, `price` and `tags`.",
        '{"name": "a", "price": 1, "tags": []}',
        '{"name": "a"}',
        "keys",
    ),
    ("A JSON object.", '{"a": 1}', '{"a": 1,}', "format:json"),
    ("A JSON array of 3 items.", "[1, 2, 3]", "[1, 2]", "size:item"),
    ("A JSON array.", "[1]", '{"a": 1}', "format:json"),
    (
        "JSON Lines, one object per line, with keys `id` and `label`.",
        '{"id": 1, "label": "a"}\n{"id": 2, "label": "b"}',
        '{"id": 1, "label": "a"}\n{"id": 2}',
        "keys",
    ),
    ("JSON Lines.", '{"a": 1}\n{"a": 2}', '{"a": 1}\nnot json', "format:jsonl"),
    ("A YAML mapping with keys name and version.", "name: x\nversion: 2", "name: x", "keys"),
    ("YAML.", "a: 1\nb: [1, 2]", "a: [1, 2\nb: {", "format:yaml"),
    ("TOML with keys title and owner.", 'title = "x"\nowner = "y"', 'title = "x"\nowner = ', "format:toml"),
    ("CSV with header `date,amount`.", "date,amount\n2026-01-01,3", "day,amount\n2026-01-01,3", "format:csv"),
    ("CSV.", "a,b\n1,2", "a,b\n1,2,3", "format:csv"),
    ("TSV with columns name, score.", "name\tscore\nx\t1", "name,score\nx,1", "format:tsv"),
    ("One Python code block.", "```python\ndef f():\n    return 1\n```", "def f():\n    return 1", "code-block"),
    ("One Python code block.", "```python\ndef f():\n    return 1\n```", "```python\ndef f(:\n```", "code-block"),
    ("One SQL code block.", "```sql\nselect 1;\n```", "```python\nprint(1)\n```", "code-block"),
    ("Only the code block, nothing else.", "```\nx = 1\n```", "Here it is:\n```\nx = 1\n```", "only"),
    ("Exactly 3 bullets, nothing else.", "- a\n- b\n- c", "My picks:\n- a\n- b\n- c", "only"),
    ("CSV with header `a,b`, nothing else.", "a,b\n1,2", "Here is the CSV:\na,b\n1,2", "only"),
    (
        "A Markdown table with columns Name, Score.",
        "| Name | Score |\n|---|---|\n| a | 1 |",
        "| Name | Points |\n|---|---|\n| a | 1 |",
        "table",
    ),
    ("A Markdown table.", "| a | b |\n| --- | --- |\n| 1 | 2 |", "a, b\n1, 2", "table"),
    ("A bullet list.", "- one\n- two", "one, two", "bullets"),
    ("A numbered list of steps.", "1. a\n2. b", "- a\n- b", "numbered"),
    ("Exactly 3 bullets.", "- a\n- b\n- c", "- a\n- b", "size:bullet"),
    ("At most 5 bullets, each at most 4 words.", "- one two\n- three", "- one two three four five", "size:word"),
    ("At most 10 words.", "Paris is the capital of France.", " ".join(["word"] * 11), "size:word"),
    ("Under 40 characters.", "Short.", "x" * 40, "size:character"),
    ("One sentence.", "Paris is the capital of France.", "Paris. It is in France.", "size:sentence"),
    ("2-3 paragraphs.", "One.\n\nTwo.", "One.", "size:paragraph"),
    ("At least 2 lines.", "a\nb", "a", "size:line"),
    (
        "A commit message whose subject line is under 50 characters.",
        "Fix the parser\n\nBody.",
        "Fix the parser so that it strips spaces around every field\n\nBody.",
        "size:character",
    ),
    ("One word: positive, negative or neutral.", "Positive.", "mixed", "labels"),
    ("Reply with one of: approve, reject, escalate.", "escalate", "approve it", "labels"),
    ('Answer "move" or "stay".', "stay", "go", "labels"),
    ("Answer yes or no.", "Yes", "Maybe", "labels"),
    ("One integer.", "**1,204**.", "about 1,200", "number"),
    ("Reply with a single number between 0 and 100, nothing else.", "42.5", "142", "number"),
    ("Just the percentage.", "12 %", "12 percent", "number"),
    (
        "A JSON object; `status` must be one of `open`, `closed`.",
        '{"status": "open"}',
        '{"status": "pending"}',
        "labels",
    ),
    ("Plain text.", "Just words.", "# Heading\nwords", "plain-text"),
    ("A unified diff.", "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n", "I changed a to b in x.py.", "diff"),
]


@pytest.mark.parametrize(("output", "good", "bad", "rule"), CASES, ids=[c[3] + ":" + c[0][:30] for c in CASES])
def test_each_check_passes_the_answer_that_keeps_it_and_fails_the_one_that_breaks_it(
    output: str, good: str, bad: str, rule: str
) -> None:
    assert failed(output, good) == [], outcome(output, good)
    assert rule in failed(output, bad), outcome(output, bad)


def test_a_check_names_the_phrase_it_came_from_and_says_what_it_found() -> None:
    report = contract.evaluate(contract.derive("Return a JSON array of 3 items, at most 20 words."), "[1, 2]")
    checks = {check["rule"]: check for check in report.checks}
    assert checks["size:item"] == {
        "rule": "size:item",
        "source": "3 items",
        "passed": False,
        "detail": "has 2 items, exactly 3 asked",
    }
    assert checks["format:json"]["source"] == "JSON" and checks["format:json"]["passed"] is True
    assert report.passed is False and report.summary().startswith("size:item ('3 items'): has 2 items")


def test_a_phrase_that_cannot_be_checked_is_listed_unchecked_never_passed() -> None:
    report = contract.evaluate(contract.derive("A friendly tone. The tests must still pass."), "anything")
    assert [c["passed"] for c in report.checks] == [None, None]
    assert [c["source"] for c in report.checks] == ["A friendly tone.", "The tests must still pass."]
    assert report.passed is None, "nothing was checked, so the contract is neither passed nor failed"


def test_a_number_is_the_answer_only_when_the_phrase_says_the_answer_is_one() -> None:
    for output in ("An integer count per region, one per line.", "A numbered list.", "A number of bullet points."):
        assert "number" not in {check.rule for check in contract.derive(output).checks}, output
    assert failed("One whole number.", "3.5") == ["number"]


def test_nothing_else_with_no_shape_named_is_unchecked() -> None:
    checks = outcome("Nothing else, please.", "anything")
    assert checks["only"][0] is None and "names no format" in checks["only"][1]


def test_a_format_the_contract_rules_out_is_not_asked_for() -> None:
    rules = [c.rule for c in contract.derive("Prose, not JSON; no code blocks and no table.").checks]
    assert not {"format:json", "code-block", "table"} & set(rules), rules


def test_json_inside_one_fence_or_with_prose_around_passes_unless_only_was_asked() -> None:
    fenced = 'Here you go:\n```json\n{"a": 1}\n```'
    assert failed("A JSON object with key `a`.", fenced) == []
    assert failed("A JSON object with key `a`, nothing else.", fenced) == ["only"]
    assert failed("A JSON object with key `a`, nothing else.", '```json\n{"a": 1}\n```') == []


def test_a_schema_given_inline_is_enforced_with_the_path_of_the_failure() -> None:
    output = 'JSON matching this schema:\n```json\n{"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}\n```'
    assert failed(output, '{"id": 3}') == []
    checks = outcome(output, '{"id": "3"}')
    assert checks["schema"][0] is False and checks["schema"][1].startswith("at id: '3' is not of type 'integer'")


def test_a_schema_file_is_read_from_the_run_directory(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "point.json").write_text(json.dumps({"type": "array", "items": {"type": "number"}}))
    output = "A JSON array matching the schema in `schemas/point.json`."
    assert failed(output, "[1, 2.5]", cwd=tmp_path) == []
    assert failed(output, '[1, "x"]', cwd=tmp_path) == ["schema"]
    missing = outcome("Matching the schema in `schemas/none.json`.", "[]", cwd=tmp_path)
    assert missing["schema"][0] is None and "cannot read the schema" in missing["schema"][1]


def test_a_diff_must_apply_to_the_repo_the_run_was_given(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    (tmp_path / "x.py").write_text("a = 1\n")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x")
    applies = "```diff\n--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\n```"
    stale = applies.replace("-a = 1", "-a = 7")
    assert failed("A unified diff.", applies, cwd=tmp_path) == []
    checks = outcome("A unified diff.", stale, cwd=tmp_path)
    assert checks["diff"][0] is False and "does not apply" in checks["diff"][1]


def test_an_agents_diff_is_its_worktree_not_its_answer() -> None:
    checks = outcome("A patch with the fix.", "Done: fixed it on the branch.", agent=True)
    assert checks["diff"][0] is None


def _schema_of(value: object) -> dict[str, object]:
    """A JSON Schema that `value` satisfies, as strict as its shape allows."""
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer", "minimum": value}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string", "maxLength": len(value)}
    if value is None:
        return {"type": "null"}
    if isinstance(value, list):
        return {
            "type": "array",
            "items": {"anyOf": [_schema_of(v) for v in value]} if value else {},
            "minItems": len(value),
        }
    assert isinstance(value, dict)
    return {"type": "object", "properties": {k: _schema_of(v) for k, v in value.items()}, "required": sorted(value)}


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(JSON)
def test_a_json_value_always_passes_a_schema_it_satisfies(value: object) -> None:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **_schema_of(value)}
    output = f"JSON matching this schema:\n```json\n{json.dumps(schema)}\n```"
    report = contract.evaluate(contract.derive(output), json.dumps(value))
    assert report.failed == [] and report.passed is True, report.checks


HOSTILE = {
    "nested 100,000 deep": "[" * 100_000,
    "200,000 open braces": "{" * 200_000,
    "a quote csv's strict mode refuses": 'a,b\n"x"y,1',
}


@pytest.mark.parametrize("answer", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("output", ["A JSON object with keys `a` and `b`.", "CSV with header `a,b`.", "YAML, 3 items."])
def test_a_hostile_answer_fails_its_checks_and_never_raises(output: str, answer: str) -> None:
    report = contract.evaluate(contract.derive(output), answer)
    assert report.passed is False and all(isinstance(c["detail"], str) for c in report.checks)


def test_json_nested_past_the_parsers_depth_in_the_output_section_or_a_schema_file_is_no_crash(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    inline = contract.derive(f"A JSON array.\n```json\n{deep}\n```")
    assert [c.rule for c in inline.checks] == ["format:json"], "a block that does not parse is no schema"
    (tmp_path / "deep.json").write_text(deep)
    checks = outcome("A JSON array matching the schema in `deep.json`.", "[]", cwd=tmp_path)
    assert checks["schema"][0] is None and "cannot read the schema" in checks["schema"][1]
