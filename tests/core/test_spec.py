from __future__ import annotations

from pathlib import Path

from core import spec as specs
from tests.helpers import GOOD_SPEC


def rules(text: str, **kwargs: object) -> dict[str, specs.Finding]:
    return {f.rule: f for f in specs.lint(text, **kwargs)}


def test_good_spec_is_clean() -> None:
    assert specs.lint(GOOD_SPEC) == []


SEED_A = (
    "Goal: Refactor the parse_invoice() function in src/invoices.py to handle multi-page PDFs.\n"
    "Non-goals: Do not change the function signature or the caller in main.py.\n"
    "Output: The updated parse_invoice() function body only, as a Python code block.\n"
    "Verification: Must pass the existing tests in tests/test_invoices.py.\n"
)


def test_labels_as_in_the_reference_task_md() -> None:
    parsed = specs.parse(SEED_A)
    assert set(parsed.sections) == {"goal", "non-goals", "output", "verification"}
    assert parsed.get("output").startswith("The updated")
    found = specs.lint(SEED_A)
    assert {(f.rule, f.message) for f in found} == {
        ("missing-section", "no Inputs section"),
        ("missing-section", "no Escalation section"),
    }
    assert all(f.severity == specs.Severity.ERROR for f in found)
    whole = SEED_A + "Inputs: src/invoices.py\nEscalation: None: the change is reviewed on its branch.\n"
    assert specs.lint(whole, target="agent") == []


def test_missing_goal_and_output_are_errors_with_a_fix() -> None:
    found = specs.lint("Just do something nice please")
    errors = {f.message for f in found if f.severity == specs.Severity.ERROR}
    assert errors == {
        "no Goal section",
        "no Non-goals section",
        "no Inputs section",
        "no Output section",
        "no Escalation section",
    }
    assert all("add a '## " in f.fix for f in found)


def test_empty_section_points_at_its_line() -> None:
    text = GOOD_SPEC.replace("Plain text, one sentence, at most 30 words.", "")
    finding = rules(text)["empty-section"]
    assert finding.line == text.splitlines().index("## Output") + 1


def test_output_without_a_contract_quotes_the_phrase() -> None:
    for vague in ("Something good that works well.", "Whatever works.", "A report.", "The usual format."):
        finding = rules(GOOD_SPEC.replace("Plain text, one sentence, at most 30 words.", vague))["vague-output"]
        assert finding.severity == specs.Severity.ERROR and finding.quote and finding.quote in vague
        assert f"'{finding.quote}'" in finding.message and "shape" in finding.fix


def test_a_shape_in_other_words_is_a_contract() -> None:
    for contract in (
        "One word: positive, negative or neutral.",
        "A single integer.",
        '"move" or "stay", nothing else.',
        "true or false, lowercase.",
    ):
        assert "vague-output" not in rules(GOOD_SPEC.replace("Plain text, one sentence, at most 30 words.", contract))


def test_vague_goal() -> None:
    goal = "Summarise the three numbered points below into one sentence for a release announcement draft."
    for vague, quote in (
        ("fix it", "fix it"),
        ("Make it better.", "Make it better."),
        ("Have a look at the summary and do what's needed.", "have a look"),
        ("Sort out the wording of the points for the announcement.", "Sort out"),
    ):
        finding = rules(GOOD_SPEC.replace(goal, vague))["vague-goal"]
        assert finding.quote.lower() == quote.lower(), finding
    assert "vague-goal" not in rules(
        GOOD_SPEC.replace(goal, "Improve the wording of the points so each starts with a verb, for the announcement.")
    )


def test_hidden_context_phrases_are_found_on_their_line() -> None:
    for phrase in (
        "as discussed",
        "the file above",
        "like before",
        "see chat",
        "per yesterday's call",
        "the way Sam proposed in review",
        "like you did for",
        "the version from before the redesign",
    ):
        text = GOOD_SPEC.replace("Do not add points", f"Do not add points ({phrase})")
        found = [f for f in specs.lint(text) if f.rule in ("hidden-context", "input-not-given")]
        assert found and found[0].line == 7 and found[0].quote.lower() in phrase.lower(), (phrase, found)


def test_quoted_text_and_code_in_inputs_are_data() -> None:
    text = GOOD_SPEC.replace(
        "1. Faster start-up. 2. A new audit browser. 3. Fewer crashes.",
        "> As discussed on the call, like last time.\n```\n# see above, the file I sent you\n```\n"
        '"Per our chat, the attached screenshot shows it."',
    )
    assert specs.lint(text) == []


def test_inputs_must_be_given_for_the_reader(tmp_path: Path) -> None:
    (tmp_path / "src" / "logging").mkdir(parents=True)
    named = GOOD_SPEC.replace("1. Faster start-up. 2. A new audit browser. 3. Fewer crashes.", "The profiler output.")
    finding = rules(named)["input-not-given"]
    assert finding.quote == "The profiler output" and "paste it" in finding.fix
    url = GOOD_SPEC.replace(
        "1. Faster start-up. 2. A new audit browser. 3. Fewer crashes.", "https://example.com/notes"
    )
    assert "--mode web" in rules(url)["input-not-given"].fix and "input-not-given" not in rules(url, target="web")
    module = GOOD_SPEC.replace("1. Faster start-up. 2. A new audit browser. 3. Fewer crashes.", "Our logging module.")
    assert "path in the repository" in rules(module, target="agent", cwd=tmp_path)["input-not-given"].fix
    by_path = GOOD_SPEC.replace("1. Faster start-up. 2. A new audit browser. 3. Fewer crashes.", "src/logging/")
    assert "input-not-given" not in rules(by_path, target="agent", cwd=tmp_path)


def test_input_paths_must_exist_under_cwd(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "real.py").write_text("x = 1\n")
    text = GOOD_SPEC.replace(
        "1. Faster start-up. 2. A new audit browser. 3. Fewer crashes.", "Read `src/real.py` and src/ghost.py."
    )
    found = [f for f in specs.lint(text, cwd=tmp_path) if f.rule == "missing-input"]
    assert [f.message.split("'")[1] for f in found] == ["src/ghost.py"]
    assert found[0].line == text.splitlines().index("Read `src/real.py` and src/ghost.py.") + 1


def test_risky_work_needs_a_real_escalation_note() -> None:
    none = "None: the draft is internal and reviewed before it is used."
    for risky in (
        "client-facing release announcement",
        "release announcement that we send to every customer",
        "press release",
        "release announcement, then force-push it to the shared branch",
    ):
        text = GOOD_SPEC.replace("release announcement draft", risky)
        assert rules(text)["missing-escalation"].quote == none
        assert rules(text.replace(none, ""))["missing-escalation"].message.endswith("no escalation notes")
        assert "missing-escalation" not in rules(text.replace(none, "Any wording choice comes back to me."))


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
    assert ("empty-section", lines.index("## Escalation") + 1) in empty


def test_units_are_not_input_paths() -> None:
    text = GOOD_SPEC.replace(
        "1. Faster start-up. 2. A new audit browser. 3. Fewer crashes.",
        "120 GB at 1 Gbit/s, and/or 40 km/h; see docs/notes.md",
    )
    assert [path for _, path in specs.input_paths(specs.parse(text))] == ["docs/notes.md"]


def test_a_backticked_input_path_keeps_its_spaces() -> None:
    text = GOOD_SPEC.replace(
        "1. Faster start-up. 2. A new audit browser. 3. Fewer crashes.",
        "`docs/release notes.md`, `parse_invoice()` in src/a.py and `my notes/*.md`; see `pytest -q` too.",
    )
    assert [path for _, path in specs.input_paths(specs.parse(text))] == [
        "docs/release notes.md",
        "src/a.py",
        "my notes/*.md",
    ]
