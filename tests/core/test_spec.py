from __future__ import annotations

from pathlib import Path

from core import spec as specs
from tests.helpers import GOOD_SPEC


def rules(text: str, **kwargs: object) -> dict[str, specs.Finding]:
    return {f.rule: f for f in specs.lint(text, **kwargs)}


def test_good_spec_is_clean() -> None:
    assert specs.lint(GOOD_SPEC) == []


def test_labels_as_in_the_reference_task_md() -> None:
    text = ("Goal: Refactor the parse_invoice() function in src/invoices.py to handle multi-page PDFs.\n"
            "Non-goals: Do not change the function signature or the caller in main.py.\n"
            "Output: The updated parse_invoice() function body only, as a Python code block.\n"
            "Verification: Must pass the existing tests in tests/test_invoices.py.\n")
    parsed = specs.parse(text)
    assert set(parsed.sections) == {"goal", "non-goals", "output", "verification"}
    assert parsed.get("output").startswith("The updated")
    found = rules(text)
    assert set(found) == {"missing-section"} and found["missing-section"].severity == specs.Severity.WARNING


def test_missing_goal_and_output_are_errors_with_a_fix() -> None:
    found = specs.lint("Just do something nice please")
    errors = [f for f in found if f.severity == specs.Severity.ERROR]
    assert {f.message for f in errors} == {"no Goal section", "no Output section"}
    assert all("add a '## " in f.fix for f in errors)


def test_empty_section_points_at_its_line() -> None:
    text = GOOD_SPEC.replace("Plain text, one sentence, at most 30 words.", "")
    finding = rules(text)["empty-section"]
    assert finding.line == text.splitlines().index("## Output") + 1


def test_output_without_format() -> None:
    text = GOOD_SPEC.replace("Plain text, one sentence, at most 30 words.", "Something good that works well.")
    assert rules(text)["output-no-format"].severity == specs.Severity.ERROR


def test_vague_goal() -> None:
    assert "vague-goal" in rules(GOOD_SPEC.replace(
        "Summarise the three numbered points below into one sentence for a release announcement draft.", "fix it"))
    assert "vague-goal" in rules(GOOD_SPEC.replace(
        "Summarise the three numbered points below into one sentence for a release announcement draft.",
        "Make it better."))


def test_hidden_context_phrases_are_found_on_their_line() -> None:
    for phrase in ("as discussed", "the file above", "like before", "see chat"):
        text = GOOD_SPEC.replace("Do not add points", f"Do not add points ({phrase})")
        finding = rules(text)["hidden-context"]
        assert finding.line == 7 and phrase in finding.message


def test_input_paths_must_exist_under_cwd(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "real.py").write_text("x = 1\n")
    text = GOOD_SPEC.replace("1. Faster start-up. 2. A new audit browser. 3. Fewer crashes.",
                             "Read `src/real.py` and src/ghost.py.")
    found = [f for f in specs.lint(text, cwd=tmp_path) if f.rule == "missing-input"]
    assert [f.message.split("'")[1] for f in found] == ["src/ghost.py"]
    assert found[0].line == text.splitlines().index("Read `src/real.py` and src/ghost.py.") + 1


def test_risky_work_needs_escalation_notes() -> None:
    text = GOOD_SPEC.replace("release announcement draft", "client-facing release announcement")
    assert rules(text)["missing-escalation"].severity == specs.Severity.ERROR
    assert "missing-escalation" not in rules(text + "\n## Escalation\nAny wording choice comes back to me.\n")


def test_task_type_and_tier_are_read_and_checked() -> None:
    parsed = specs.parse(GOOD_SPEC + "Tier: coding\n")
    assert parsed.task_type == "general" and parsed.tier == "coding"
    found = rules(GOOD_SPEC.replace("Task type: general", "Task type: poetry"), known_task_types={"general"})
    assert "unknown-task-type" in found


def test_headings_inside_code_fences_are_not_sections() -> None:
    text = GOOD_SPEC + "\n```\n## Goal\nnot a section\n```\n"
    assert "not a section" not in specs.parse(text).get("goal")


def test_template_lints_only_on_its_placeholders() -> None:
    template = specs.template("bulk-coding")
    assert "Task type: bulk-coding" in template
    parsed = specs.parse(template)
    assert {"goal", "output", "escalation"} <= set(parsed.sections) and parsed.task_type == "bulk-coding"
    empty = {(f.rule, f.line) for f in specs.lint(template)}
    lines = template.splitlines()
    assert ("empty-section", lines.index("## Goal") + 1) in empty
    assert ("empty-section", lines.index("## Output") + 1) in empty


def test_a_backticked_input_path_keeps_its_spaces() -> None:
    text = GOOD_SPEC.replace("1. Faster start-up. 2. A new audit browser. 3. Fewer crashes.",
                             "`docs/release notes.md`, `parse_invoice()` in src/a.py and `my notes/*.md`; see "
                             "`pytest -q` too.")
    assert [path for _, path in specs.input_paths(specs.parse(text))] == ["docs/release notes.md", "src/a.py",
                                                                         "my notes/*.md"]
