from __future__ import annotations

from pathlib import Path

from core import spec as specs
from core import spec_sections, tiers
from core.checklist.target import Target
from core.checklist.unwrap import unwrap as checklist_unwrap
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
    assert {name for name, s in parsed.sections.items() if not s.inferred} == {
        "goal",
        "non-goals",
        "output",
        "verification",
    }
    assert parsed.sections["inputs"].inferred, "the goal holds the material"
    assert parsed.get("output").startswith("The updated")
    found = {f.message: f for f in specs.lint(SEED_A)}
    # No Inputs section, but the Goal names its material by path (src/invoices.py): the inputs are stated.
    assert {(f.rule, f.message) for f in found.values()} == {("missing-section", "no Escalation section")}
    # A refactor on a branch reaches no one and can be undone: nothing to hand back, so the notes are only asked for.
    assert found["no Escalation section"].severity == specs.Severity.WARNING
    assert "if any decision should come back" in found["no Escalation section"].fix
    whole = SEED_A + "Inputs: src/invoices.py\nEscalation: None: the change is reviewed on its branch.\n"
    assert specs.lint(whole, target="agent") == []


def test_missing_goal_and_output_are_errors_with_a_fix() -> None:
    found = specs.lint("Task type: general\n")
    errors = {f.message for f in found if f.severity == specs.Severity.ERROR}
    assert errors == {
        "no Goal section",
        "no Non-goals section",
        "no Inputs section",
        "no Output section",
    }
    assert all("add a '## " in f.fix for f in found)


def test_empty_section_points_at_its_line() -> None:
    text = GOOD_SPEC.replace("Plain text, one sentence, at most 30 words.", "")
    finding = rules(text)["empty-section"]
    assert finding.line == text.splitlines().index("## Output") + 1


def test_output_without_a_contract_quotes_the_phrase() -> None:
    for vague in (
        "Something good that works well.",
        "Whatever works.",
        "A report.",
        "The usual format.",
        "Give as much detail as feels right for each point.",
    ):
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
        settled = 'If you are unsure whether to write "per seat" or "per user", use "per user".'
        assert rules(text.replace(none, settled))["missing-escalation"].quote.startswith("If you are unsure")
        flagged = settled.replace('use "per user"', "say so instead of choosing")
        assert "missing-escalation" not in rules(text.replace(none, flagged))


def test_no_escalation_section_is_a_warning_unless_the_work_is_risky() -> None:
    """The notes are for taste, policy, client-facing and irreversible calls: an internal summary has none to hand
    back, work that reaches people or cannot be undone must say which come back (the risk rule's error)."""
    internal = GOOD_SPEC.split("## Escalation")[0]
    assert [(f.rule, f.severity) for f in specs.lint(internal)] == [("missing-section", specs.Severity.WARNING)]
    for risky, quote in (
        ("release announcement that we send to every customer", "announcement that we send to every customer"),
        ("note, then cancel the three trial subscriptions listed", "cancel the three trial subscriptions"),
        ("note, so that each account is cancelled today", "account is cancelled"),
    ):
        found = rules(internal.replace("release announcement draft", risky))
        assert found["missing-escalation"].severity == specs.Severity.ERROR
        assert found["missing-escalation"].quote == quote
        assert found["missing-section"].severity == specs.Severity.WARNING


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


GOAL_LINE = "Summarise the three numbered points below into one sentence for a release announcement draft."
INPUT_LINE = "1. Faster start-up. 2. A new audit browser. 3. Fewer crashes."


def test_slashes_in_prose_are_not_input_paths() -> None:
    text = GOOD_SPEC.replace(INPUT_LINE, "24.95/month, 10,000 emails/month, GNU/Linux, $5/user/month; see docs/a.md")
    assert [path for _, path in specs.input_paths(specs.parse(text))] == ["docs/a.md"]
    marked = GOOD_SPEC.replace(INPUT_LINE, "`src/api` and ./bin/run")
    assert [path for _, path in specs.input_paths(specs.parse(marked))] == ["src/api", "./bin/run"]


def test_paths_the_task_is_about_are_not_inputs(tmp_path: Path) -> None:
    """Paths in a pasted block, on the line captioning it, an API route and an absolute path in a sentence name
    the system the task is about; an absolute path listed on its own, or one on this machine, is still an input
    (and refused outside --cwd by core/inputs.py)."""
    about = (
        "The script, /opt/jobs/backup.sh:\n```sh\n#!/bin/sh\ntar czf /backups/db.tgz /var/lib/db\n```\n"
        "The mobile app still calls /v1/auth/legacy every night, 3,000 times.\n"
        "- POST /v1/auth/legacy\n"
        "> tar: /var/lib/db: Cannot open\n"
    )
    text = GOOD_SPEC.replace(INPUT_LINE, about)
    assert specs.input_paths(specs.parse(text)) == []
    assert [f for f in specs.lint(text, cwd=tmp_path) if f.severity == specs.Severity.ERROR] == []
    here = GOOD_SPEC.replace(INPUT_LINE, f"Work in the repository checked out at {tmp_path}, on its main branch.")
    assert specs.input_paths(specs.parse(here)) == [(10, str(tmp_path))], "on this machine, it is the user's file"
    listed = GOOD_SPEC.replace(INPUT_LINE, "`src/a.py` and `/srv/app/main.py`\n- /srv/app/cli.py (the entry point)")
    assert [path for _, path in specs.input_paths(specs.parse(listed))] == [
        "src/a.py",
        "/srv/app/main.py",
        "/srv/app/cli.py",
    ]


def test_a_reference_to_an_artifact_the_spec_hands_over_is_resolved() -> None:
    goal = "Summarise the three numbered points below into one sentence for a release announcement draft."
    text = GOOD_SPEC.replace(goal, "Summarise the change requested in the ticket in one sentence for the draft.")
    assert rules(text)["hidden-context"].quote == "in the ticket"
    for given in ("Ticket PAY-412, as filed:\n> " + INPUT_LINE, "The ticket reads: " + INPUT_LINE):
        assert "hidden-context" not in rules(text.replace(INPUT_LINE, given))
    assert "hidden-context" not in rules(
        GOOD_SPEC.replace(goal, "Summarise the points below in one sentence before I open the PR for the draft.")
    )


def test_a_generic_object_with_a_criterion_is_a_goal() -> None:
    goal = "Summarise the three numbered points below into one sentence for a release announcement draft."
    assert "vague-goal" not in rules(GOOD_SPEC.replace(goal, "Fix the bug in the chunk below so it returns 0."))
    for vague, quote in (
        ("Fix the bugs in the billing module.", "Fix the bugs in the billing module"),
        ("The announcement could be better. See what you can come up with.", "See what you can come up with"),
        ("Get the points into a better state.", "a better state"),
        ("Work out what's wrong with the points and sort it.", "what's wrong"),
    ):
        assert rules(GOOD_SPEC.replace(goal, vague))["vague-goal"].quote == quote


def test_hidden_context_in_other_words() -> None:
    goal = "Summarise the three numbered points below into one sentence for a release announcement draft."
    for vague, quote in (
        ("Rewrite the points to reflect the new policy, in one sentence.", "the new policy"),
        ("Fix the remaining issue with the summary, in one sentence.", "the remaining issue"),
        ("Summarise the points in the style the docs team settled on.", "the style the docs team settled on"),
        ("Summarise the points in the format that worked well for the newsletter.", "the format that worked well"),
        ("Summarise the points in the tone of the last newsletter.", "the last newsletter"),
    ):
        assert rules(GOOD_SPEC.replace(goal, vague))["hidden-context"].quote == quote
    assert "hidden-context" not in rules(
        GOOD_SPEC.replace(INPUT_LINE, "New policy: refunds within 30 days.").replace(
            goal, "Rewrite the points to reflect the new policy below, in one sentence."
        )
    )


def test_risk_in_other_words_needs_an_escalation_note() -> None:
    goal = "Summarise the three numbered points below into one sentence for a release announcement draft."
    for risky, quote in (
        ("Rebase the release branch onto main and push it", "Rebase the release branch onto main and push"),
        ("Write a script that emails every user the points", "emails every user"),
        ("Write the SQL to cancel every customer's plan from the points", "cancel every customer"),
        ("Write the points as cancellation terms for the site", "cancellation terms"),
        ("Write the points as SQL run against the main database", "main database"),
    ):
        found = rules(GOOD_SPEC.replace(goal, risky + ", in one sentence."))["missing-escalation"]
        assert f"('{quote}')" in found.message, found
    counting = GOOD_SPEC.replace(goal, "Count how many emails each customer received, from the points, in one number.")
    assert "missing-escalation" not in rules(counting)
    in_memory = GOOD_SPEC.replace(goal, "Write a function that updates each user's score in the list below by 10.")
    assert "missing-escalation" not in rules(in_memory)


def test_task_types_in_ordinary_words_are_read_as_real_ones() -> None:
    known = {"general", "bulk-coding", "agentic-coding", "frontier-reasoning", "shipped-prose"}
    assert rules(GOOD_SPEC.replace("Task type: general", "Task type: data"), known_task_types=known) == {}
    alias = rules(GOOD_SPEC.replace("Task type: general", "Task type: code"), known_task_types=known)
    assert alias["task-type-alias"].severity == specs.Severity.WARNING
    assert "bulk-coding" in alias["task-type-alias"].message and "agentic-coding" in alias["task-type-alias"].fix
    typo = rules(GOOD_SPEC.replace("Task type: general", "Task type: codeing"), known_task_types=known)
    assert typo["unknown-task-type"].fix.startswith("did you mean bulk-coding?")


def test_what_a_table_a_title_a_description_and_a_command_are_not() -> None:
    """A table row is data; a quoted title and a parenthesised column list name a thing, they do not give it; a
    backticked command names no file; 'OpenAPI 3.1' is one figure; 'depth is under 500' says no place."""
    given = GOOD_SPEC.replace(INPUT_LINE, "| cost item | total |\n|---|---|\n| Helpdesk contract | 12,000 |")
    assert specs.lint(given) == []
    for named, quote in (
        ('The Datadog dashboard "API p99 by endpoint", both weeks.', "The Datadog dashboard"),
        ("The spend spreadsheet from AP (vendor, invoice date, amount in EUR).", "The spend spreadsheet"),
        ("The OpenAPI 3.1 spec for the orders service.", "The OpenAPI 3.1 spec for the orders service"),
    ):
        assert rules(GOOD_SPEC.replace(INPUT_LINE, named))["input-not-given"].quote == quote
    assert specs.paths_in("`kubectl -n media rollout restart deploy/resizer` and `docs/release notes.md`") == [
        "docs/release notes.md"
    ]
    assert "input-not-given" not in rules(
        GOOD_SPEC.replace(INPUT_LINE, INPUT_LINE + " Scale back once depth is under 500.")
    )
    runbook = GOOD_SPEC.replace("Plain text, one sentence, at most 30 words.", "A runbook that on-call can follow.")
    assert rules(runbook)["vague-output"].quote == "A runbook that on-call can follow."


def test_what_names_the_object_is_not_a_criterion() -> None:
    """'below', 'the three' and 'to the ...' say what to work on, not when it is done; 'by upper-casing', 'why',
    'ascending' and a colon that spells it out do."""
    goal = "Summarise the three numbered points below into one sentence for a release announcement draft."
    for vague, quote in (
        ("Tidy the three points below before the announcement.", "Tidy the three points below before the announcement"),
        ("Give the three points below a refresh before they go to the team.", "Give the three points below a refresh"),
        ("Clean up the wording in the points below.", "Clean up the wording in the points below"),
    ):
        assert rules(GOOD_SPEC.replace(goal, vague))["vague-goal"].quote == quote
    for concrete in (
        "Tidy the points below by upper-casing the first word of each.",
        "Investigate why the points below contradict each other, and name the pair.",
        "Sort the points below ascending by length.",
        "Handle the empty case below: no points gives an empty sentence.",
    ):
        assert "vague-goal" not in rules(GOOD_SPEC.replace(goal, concrete)), concrete


def test_references_resolved_by_the_spec_or_still_to_come() -> None:
    goal = "Summarise the three numbered points below into one sentence for a release announcement draft."
    earlier = GOOD_SPEC.replace(goal, "Compare the earlier version of the points with the new one, in one sentence.")
    assert rules(earlier)["hidden-context"].quote == "the earlier version"
    assert "hidden-context" not in rules(earlier.replace(INPUT_LINE, f"Earlier version:\n> {INPUT_LINE}"))
    quoted = GOOD_SPEC.replace(INPUT_LINE, f'What Priya flagged in the team thread, quoted: "{INPUT_LINE}"')
    assert "hidden-context" not in rules(quoted)
    later = GOOD_SPEC.replace(
        "None: the draft is internal and reviewed before it is used.",
        "None: the draft is diffed and reviewed in the release PR.",
    )
    assert "hidden-context" not in rules(later)
    assert "hidden-context" not in rules(later.replace("diffed and reviewed", "reviewed by the docs team"))
    ahead = GOOD_SPEC.replace(goal, "Summarise the points in one sentence for the meeting on Thursday.")
    assert "hidden-context" not in rules(ahead)
    assert rules(ahead.replace("for the meeting", "as agreed in the meeting"))["hidden-context"]
    assert "hidden-context" not in rules(
        GOOD_SPEC.replace("release announcement draft", "draft in a literature review")
    )
    for vague, quote in (
        ("Summarise the points the way the SEO review settled on.", "the SEO review settled on"),
        ("Summarise the points with the weighting the CFO asked for.", "the weighting the CFO asked for"),
        ("Summarise the points as agreed during board prep.", "during board prep"),
    ):
        assert rules(GOOD_SPEC.replace(goal, vague))["hidden-context"].quote == quote


def test_money_that_cannot_be_recalled_needs_an_escalation_note() -> None:
    goal = "Summarise the three numbered points below into one sentence for a release announcement draft."
    for risky, quote in (
        ("Produce the payment file for the contractors named in the points.", "payment file"),
        ("Summarise the points; the message cannot be recalled once sent.", "cannot be recalled"),
    ):
        found = rules(GOOD_SPEC.replace(goal, risky))["missing-escalation"]
        assert f"('{quote}')" in found.message, found


def test_a_domain_as_task_type_is_read_as_general() -> None:
    known = set(tiers.TASK_TYPES)
    assert rules(GOOD_SPEC.replace("Task type: general", "Task type: finance"), known_task_types=known) == {}
    ops = rules(GOOD_SPEC.replace("Task type: general", "Task type: ops"), known_task_types=known)
    assert ops["task-type-alias"].severity == specs.Severity.WARNING and "agentic-coding" in ops["task-type-alias"].fix


def test_a_compound_task_type_is_read_when_its_words_agree() -> None:
    known = set(tiers.TASK_TYPES)
    for agreeing in ("data-analysis", "finance_data", "data analysis"):
        spec = GOOD_SPEC.replace("Task type: general", f"Task type: {agreeing}")
        assert rules(spec, known_task_types=known) == {}, agreeing
    sales_ops = rules(GOOD_SPEC.replace("Task type: general", "Task type: sales/ops"), known_task_types=known)
    assert "agentic-coding" in sales_ops["task-type-alias"].fix  # the part that could have meant another says so
    for disagreeing in ("code-writing", "data-wrangling"):  # two task types, or a word that names none
        spec = GOOD_SPEC.replace("Task type: general", f"Task type: {disagreeing}")
        assert "unknown-task-type" in rules(spec, known_task_types=known), disagreeing
    assert tiers.task_type_named("data-analysis") == ("general", tiers.Alias("general"))
    for real in tiers.TASK_TYPES:  # whose words may be aliases themselves ('bulk', 'coding')
        assert tiers.task_type_named(real) == (real, None)
        spec = GOOD_SPEC.replace("Task type: general", f"Task type: {real}")
        assert "task-type-alias" not in rules(spec, known_task_types=known), real


def test_a_one_line_answer_with_stated_checks_needs_no_non_goals_or_inputs() -> None:
    one_liner = (
        "Goal: One Python regex that fully matches dates YYYY-MM-DD with year 1900-2099.\n"
        "Output: The regex on a single line, nothing else.\n"
        "Verification: Matches 1900-01-01 and 2099-12-31; rejects 1899-12-31.\n"
        "Escalation: None.\n"
    )
    found = specs.lint(one_liner)
    assert {f.message.split(" (")[0] for f in found if f.rule == "missing-section"} == {
        "no Non-goals section",
        "no Inputs section",
    }
    assert not specs.has_errors(found)
    unverified = one_liner.replace("Verification: Matches 1900-01-01 and 2099-12-31; rejects 1899-12-31.\n", "")
    errors = {f.message for f in specs.lint(unverified) if f.severity == specs.Severity.ERROR}
    assert errors == {"no Non-goals section"}  # the goal names nothing to work on: no Inputs is a warning
    in_a_block = one_liner.replace("The regex on a single line", "One Python code block, then a single line")
    assert specs.has_errors(specs.lint(in_a_block))
    for whole_block in (
        "Exactly one line: the regex, inside a single `python` code block. No explanation.",
        "A single code block with the call, in the form `re.fullmatch(r'<regex>', s)`. Nothing else.",
    ):
        assert not specs.has_errors(
            specs.lint(one_liner.replace("The regex on a single line, nothing else.", whole_block))
        )
    many_lines = "A single code block, each line in the form `<date> <regex>`. Nothing else."
    assert specs.has_errors(specs.lint(one_liner.replace("The regex on a single line, nothing else.", many_lines)))


def test_open_wording_in_other_words() -> None:
    goal = "Summarise the three numbered points below into one sentence for a release announcement draft."
    for vague, quote in (
        ("Make our day-1 announcement draft better.", "Make our day-1 announcement draft better"),
        ("Make the summary in `docs/notes.md` more robust.", "Make the summary in docs/notes.md more robust"),
        ("Get the three points below into decent shape.", "Get the three points below into decent shape"),
    ):
        assert rules(GOOD_SPEC.replace(goal, vague))["vague-goal"].quote == quote
    examples = goal + ' It names things ("a new audit browser") that stay as they are.'
    assert "vague-goal" not in rules(GOOD_SPEC.replace(goal, examples))
    output = "Plain text, one sentence, at most 30 words."
    vague = rules(GOOD_SPEC.replace(output, "Word it however makes sense, one sentence."))["vague-output"]
    assert vague.quote == "however makes sense"


def test_a_notice_to_a_party_needs_an_escalation_note() -> None:
    goal = "Summarise the three numbered points below into one sentence for a release announcement draft."
    letter = GOOD_SPEC.replace(goal, "Draft the letter to the tenant of Flat 3 giving notice that the lease ends.")
    note = "Standard letter, nothing to flag."
    found = rules(letter.replace("None: the draft is internal and reviewed before it is used.", note))
    assert found["missing-escalation"].quote == note


def test_references_resolved_against_the_spec_itself() -> None:
    goal = "Summarise the three numbered points below into one sentence for a release announcement draft."
    agreed = GOOD_SPEC.replace(goal, goal + " Keep the cause to the agreed sentence.")
    assert rules(agreed)["hidden-context"].quote == "the agreed sentence"
    worded = agreed.replace(INPUT_LINE, f'{INPUT_LINE}\nCause, agreed wording: "A config change cut capacity."')
    assert "hidden-context" not in rules(worded)
    captioned = GOOD_SPEC.replace(INPUT_LINE, f"The points we ran last quarter:\n> {INPUT_LINE}")
    assert "hidden-context" not in rules(captioned)
    case = GOOD_SPEC.replace(goal, "Summarise each point below in one sentence; say so if the issue is unclear.")
    assert "hidden-context" not in rules(case)
    clause = GOOD_SPEC.replace("Do not add points", "Do not restate the policy or explain why finance made the points")
    assert "hidden-context" not in rules(clause)


def test_what_a_person_or_body_did_before_is_hidden_context() -> None:
    goal = "Summarise the three numbered points below into one sentence for a release announcement draft."
    for vague, quote in (
        ("Summarise the points, leaving out anything the class already did.", "anything the class already did"),
        ("Summarise the points by the rule the clinic adopted.", "the rule the clinic adopted"),
        ("Summarise the points as after last spring's audit.", "last spring's audit"),
        ("Summarise the points using Maria's tags from her onboarding notes.", "from her onboarding notes"),
    ):
        assert rules(GOOD_SPEC.replace(goal, vague))["hidden-context"].quote == quote


def test_a_long_quote_after_a_citation_is_its_text() -> None:
    abstract = '"In a trial across 42 schools, text reminders to parents cut absence by 0.6 points overall."'
    cited = GOOD_SPEC.replace(INPUT_LINE, f"Morgan et al. (2021): {abstract}")
    assert "input-not-given" not in rules(cited)
    titled = GOOD_SPEC.replace(INPUT_LINE, 'Morgan et al. (2021), "Text reminders and absence"')
    assert rules(titled)["input-not-given"].quote == "Morgan et al. (2021)"
    goal = "Summarise the three numbered points below into one sentence for a release announcement draft."
    entries = titled.replace(goal, "Convert the reference-list entry below into APA 7th edition format.")
    assert "input-not-given" not in rules(entries), "a citation is the data when the task formats citations"


def test_a_description_of_material_is_not_the_material() -> None:
    for named, quote in (
        (
            "- Northgate Logistics' tracked-changes version of our NDA, returned on 3 June",
            "Logistics' tracked-changes version",
        ),
        ("- Supplier spec sheet (capacity, wattage per SKU)\n- SKUs: A-1, A-2", "Supplier spec sheet"),
        ("- The hourly readings for 1-7 July, as exported from the building system", "exported from the building"),
        ("Parcelino's OpenAPI 3.0 description of the v3 API (version 3.2.0)", "Parcelino's OpenAPI 3.0 description"),
    ):
        assert rules(GOOD_SPEC.replace(INPUT_LINE, named))["input-not-given"].quote == quote, named
    listed = "- Export to CSV times out\n- Dashboard shows totals twice"
    assert "input-not-given" not in rules(GOOD_SPEC.replace(INPUT_LINE, listed))


def test_what_the_goal_calls_ours_must_be_handed_over() -> None:
    goal = "Summarise the three numbered points below into one sentence for a release announcement draft."
    ours = GOOD_SPEC.replace(goal, "Write one test for our `RateLimiter` class, so that a burst is refused.")
    described = ours.replace(INPUT_LINE, "It takes a capacity and a refill rate, and the clock is injectable.")
    assert rules(described)["input-not-given"].quote == "our RateLimiter class"
    assert "input-not-given" not in rules(ours)
    assert rules(described, target="agent")["input-not-given"].quote != "our RateLimiter class"


def test_each_reference_on_a_line_is_its_own_finding() -> None:
    goal = "Summarise the three numbered points below into one sentence for a release announcement draft."
    two = GOOD_SPEC.replace(goal, "Compare the vendors we shortlisted and the concerns Priya raised about them.")
    quotes = [f.quote for f in specs.lint(two) if f.rule == "hidden-context"]
    assert quotes == ["the vendors we shortlisted", "the concerns Priya raised"]


def test_an_attachment_is_not_an_input() -> None:
    attached = GOOD_SPEC.replace(INPUT_LINE, "The signed agreement (PDF, 14 pages), see attached.")
    assert {f.quote for f in specs.lint(attached) if f.rule == "input-not-given"} == {"see attached"}


def test_a_line_pointing_at_the_data_below_hands_it_over() -> None:
    for pointed in ("The table below.\n| a | b |", "The job description, pasted below.\n> We are hiring."):
        assert "input-not-given" not in rules(GOOD_SPEC.replace(INPUT_LINE, pointed)), pointed
    assert rules(GOOD_SPEC.replace(INPUT_LINE, "The table below."))["input-not-given"].quote == "The table below"
    sourced = "The charges, exported from Stripe, are pasted below.\n```\nid,amount\n1,2\n```"
    assert "input-not-given" not in rules(GOOD_SPEC.replace(INPUT_LINE, sourced))
    assert "input-not-given" not in rules(GOOD_SPEC.replace(INPUT_LINE, "Python version 3.11; standard library only."))


def test_text_the_inputs_mention_is_not_a_reference_or_a_location() -> None:
    """A phrase quoted with its determiner, a sentence in backticks, a format code, the unit values are in and a bare
    'the code' after a path are all part of what is handed over."""
    given = "1. Faster start-up. 2. A new audit browser. 3. Fewer crashes."
    for line in (
        'Quoted verbatim; phrases in them such as "the attached PDF" are part of the text.',
        "Point 2 once read `Format as discussed in the attached file; see units below.` (stale prose).",
        "Timestamps look like `%d/%b/%Y:%H:%M:%S %z`.",
        "Times are in UTC.",
    ):
        found = specs.lint(GOOD_SPEC.replace(given, f"{given}\n{line}"), cwd=Path("/nonexistent"))
        assert not specs.has_errors(found), (line, found)
    agent = GOOD_SPEC.replace(given, "- `src/config.py` reads the variables.\n- Required is yes if the code raises.")
    assert not specs.has_errors(specs.lint(agent, target="agent"))
    assert specs.has_errors(specs.lint(GOOD_SPEC.replace(given, "The code of the billing service."), target="agent"))
    pasted = GOOD_SPEC.replace("the three numbered points below", "the raw notes from Monday's meeting (pasted below)")
    assert "hidden-context" not in rules(pasted)
    assert "hidden-context" in rules(pasted.replace(" (pasted below)", ""))


def test_a_spec_written_as_prose_has_its_sections_read_from_its_sentences() -> None:
    text = (
        "# Fix failing test\n\nTask type: agentic-coding\n\n"
        "`tests/test_dates.py` fails: `month_end` returns the 28th in a leap year.\n\n"
        "Fix `month_end` in `lib/dates.py`. Don't change its signature.\n\n"
        "Done when `pytest tests/test_dates.py` passes. Return the diff and one sentence on the cause.\n"
    )
    parsed = specs.parse(text)
    assert parsed.get("goal").startswith("Fix `month_end`")
    assert "Don't change its signature" in parsed.get("non-goals")
    assert parsed.get("output") == "Return the diff and one sentence on the cause."
    assert parsed.get("verification").startswith("Done when")
    assert all(parsed.sections[name].inferred for name in ("goal", "non-goals", "output", "inputs"))
    assert [path for _, path in specs.input_paths(parsed)] == ["tests/test_dates.py", "lib/dates.py"]
    labelled = "Task: list every difference.\nConstraints: only section 12.\nReturn: a table.\n"
    assert {n for n, s in specs.parse(labelled).sections.items() if not s.inferred} == {"goal", "non-goals", "output"}


def test_a_github_action_is_not_a_path() -> None:
    assert specs.paths_in("- uses: actions/checkout@v4") == []
    assert specs.paths_in("Use the `actions/setup-python` version the test job uses.") == []
    assert specs.paths_in("Edit `.github/workflows/ci.yml`.") == [".github/workflows/ci.yml"]


def test_without_inputs_only_a_bare_goal_misses_its_material() -> None:
    bare = "## Goal\nSummarise the quarterly numbers for the board.\n## Non-goals\nNone.\n## Output\nThree bullets.\n"
    assert "no Inputs section" in {f.message for f in specs.lint(bare)}
    assert "'the quarterly numbers' is named but not given" in " ".join(f.message for f in specs.lint(bare))
    given = "Q3 revenue 4.1M, costs 3.2M, churn 2%.\n\n" + bare.replace("the quarterly numbers", "these numbers")
    assert {"no Inputs section", "input-not-given"}.isdisjoint(
        {f.message for f in specs.lint(given)} | {f.rule for f in specs.lint(given)}
    )


def test_statements_of_state_and_what_is_made_are_not_missing_inputs() -> None:
    assert specs.paths_in("keeps the Python 3.11/3.12 matrix") == []
    prose_spec = "# Tests\n\nTask type: general\n\nAdd tests for `etl/sku.py`. Put them in tests/test_sku.py.\n"
    assert [path for _, path in specs.input_paths(specs.parse(prose_spec))] == ["etl/sku.py"]
    listed = "1. Faster start-up. 2. A new audit browser. 3. Fewer crashes."
    stated = GOOD_SPEC.replace(listed, listed + "\nSkip a point if its date is in the future.")
    assert "input-not-given" not in rules(stated)
    assert "input-not-given" in rules(stated.replace("its date is in the future", "the data is in the warehouse"))
    contraction = GOOD_SPEC.replace(listed, listed + "\nSkip a point unless it's the file.")
    assert "input-not-given" not in rules(contraction)
    inventory = GOOD_SPEC.replace("the three numbered points", "the three points on the tools we run in production")
    assert "missing-escalation" not in rules(inventory)
    assert "missing-escalation" in rules(inventory.replace("we run in production", "we change in production"))


def test_scope_material_and_answer_stated_in_other_words_are_read() -> None:
    assert specs.paths_in("keys method/path/protocol are None") == []
    assert specs.paths_in("Apply db/migrations/ in order.") == ["db/migrations/"]
    prose_spec = (
        "# Parse\n\nTask type: general\n\nTurn the note below into a summary for farmers.\n\n"
        'Note: "Tillage was reduced on all plots for twelve years."\n\n'
        "Write 100–130 words, and no claims beyond the note. Standard library only.\n"
    )
    parsed = specs.parse(prose_spec)
    assert parsed.get("output").startswith("Write 100–130 words")
    assert "no claims beyond" in parsed.get("non-goals")
    assert "Standard library only." in parsed.get("non-goals")
    labelled = 'Goal: Tag each ticket below.\nT-1: "I was charged twice for November."\nReport: the labels.\n'
    assert parsed_rules(labelled).isdisjoint({"no Inputs section", "no Output section"})
    assert "no Inputs section" in parsed_rules(labelled.replace('T-1: "I was charged twice for November."\n', ""))
    kept = "## Goal\nEdit the posting below.\n- Keep all facts (location, duties, shifts, pay) exactly as given.\n"
    assert "exactly as given" in specs.parse(kept).get("non-goals")
    checked = specs.parse("## Goal\nAdd tests.\n## Done when\n`pytest` passes. Reply with the pytest summary line.\n")
    assert checked.get("output") == "Reply with the pytest summary line."
    assert "Internal only." not in (specs.parse("## Goal\nX.\n## Escalation\nInternal only.\n").get("non-goals") or "")


def parsed_rules(text: str) -> set[str]:
    return {finding.message for finding in specs.lint(text)}


def test_a_case_or_a_stated_fact_is_no_hidden_reference_and_the_books_are_risky() -> None:
    listed = "1. Faster start-up. 2. A new audit browser. 3. Fewer crashes."
    case = GOOD_SPEC.replace(listed, listed + "\nIf a ticket is unclear, tag on what the ticket asks for now.")
    assert "hidden-context" not in rules(case)
    assert "hidden-context" in rules(case.replace("If a ticket is unclear, tag", "Tag"))
    fact = GOOD_SPEC.replace(listed, listed + "\nXero sync is not on our roadmap.")
    assert "hidden-context" not in rules(fact)
    assert "hidden-context" in rules(fact.replace("Xero sync is not on our roadmap", "Rank them as on our roadmap"))
    books = GOOD_SPEC.replace("for a release announcement draft", "; I'll import it into the ledger")
    assert "missing-escalation" in rules(books)
    sourced = "## Goal\nFind the dates. endoflife.date is not an acceptable source on its own.\n"
    assert "not an acceptable source" in specs.parse(sourced).get("non-goals")


def test_what_given_data_is_matched_against_must_be_given_too() -> None:
    text = (
        "# Reconcile\n\nTask type: general\n\nMatch the ledger entries below against the bank statement PDF.\n\n"
        "```\n2026-11-01,JE-1101,48210.55\n```\n\nOutput: a Markdown table. Don't propose entries.\n"
    )
    assert "'the bank statement PDF' is named but not given" in " ".join(f.message for f in specs.lint(text))
    given = text.replace(" against the bank statement PDF", " against each other")
    assert "input-not-given" not in {finding.rule for finding in specs.lint(given)}


def test_a_quote_in_a_later_sentence_does_not_hand_over_a_reference() -> None:
    listed = "1. Faster start-up. 2. A new audit browser. 3. Fewer crashes."
    later = GOOD_SPEC.replace(
        listed, listed + '\nCover the concerns raised at the town hall. Else say "Talk to your HR partner."'
    )
    assert "hidden-context" in rules(later)
    same = later.replace(". Else say", ', which were "Talk to your HR partner." Say')
    assert "hidden-context" not in rules(same)


def test_copy_that_goes_on_a_public_page_needs_an_escalation_note() -> None:
    public = GOOD_SPEC.replace("None: the draft is internal and reviewed before it is used.", "None.").replace(
        "for a release announcement draft", "; it goes on the public pricing page unedited"
    )
    assert "missing-escalation" in rules(public)


def test_a_labels_colon_introduces_no_data() -> None:
    assert specs.unlabelled("Goal: Group the answers.") == "Group the answers."
    assert specs.unlabelled("Ledger: 3 rows") == "Ledger: 3 rows"
    labelled = "Goal: Group the answers from the November survey export into themes.\nOutput: JSON only.\n"
    assert "input-not-given" in {finding.rule for finding in specs.lint(labelled)}


def test_a_threads_size_and_dates_are_not_its_messages() -> None:
    text = "Using the Acme email thread (14 messages, Oct 2–19), write a summary.\nOutput: under 350 words.\n"
    assert "input-not-given" in {finding.rule for finding in specs.lint(text)}


def test_a_sense_of_something_is_no_deliverable() -> None:
    vague = GOOD_SPEC.replace(
        "Summarise the three numbered points below into one sentence for a release announcement draft.",
        "I want to get a sense of where the three points below stand against rivals.",
    )
    assert "vague-goal" in rules(vague)


def test_a_what_where_brief_has_its_goal_and_inputs() -> None:
    brief = specs.parse("**Where:** pipelines/ingest/run.py.\n\n**What:** Clean up the pipeline so it's better.\n")
    assert brief.get("goal") == "Clean up the pipeline so it's better."
    assert not brief.sections["inputs"].inferred


def _severity(text: str, rule: str, **kwargs: object) -> specs.Severity | None:
    found = rules(text, **kwargs).get(rule)
    return found.severity if found else None


def test_no_non_goals_is_a_warning_when_goal_material_and_output_are_stated() -> None:
    """Non-goals are read from sentences that bound the work, which writers phrase in words no list foresees; the
    content rules judge a spec whose goal, material and output are stated (issue #17). With no material, the
    contractor has nothing to act on, so the missing sections are still an error."""
    unbounded = GOOD_SPEC.replace("## Non-goals\nDo not add points that are not listed.\n\n", "")
    assert _severity(unbounded, "missing-section") == specs.Severity.WARNING
    assert not specs.has_errors(specs.lint(unbounded))
    bare = unbounded.replace("## Inputs\n1. Faster start-up. 2. A new audit browser. 3. Fewer crashes.\n\n", "")
    assert {f.message for f in specs.lint(bare) if f.severity == specs.Severity.ERROR} == {
        "no Non-goals section",
        "no Inputs section",
    }


def test_is_in_says_where_material_is_only_of_material() -> None:
    """'The data is in the warehouse' names where the material is; 'the date is in the future' or 'times are in
    UTC' state a fact about it."""
    inputs = "1. Faster start-up. 2. A new audit browser. 3. Fewer crashes."
    for state in ("Skip a point if its date is in the future.", "Leave out a point whose fix is in limbo."):
        assert "input-not-given" not in rules(GOOD_SPEC.replace(inputs, f"{inputs}\n{state}"))
    found = rules(GOOD_SPEC.replace(inputs, "The release data is in the warehouse."))
    assert found["input-not-given"].quote == "is in the warehouse"


def test_a_missing_name_refuses_only_when_it_is_surely_a_file(tmp_path: Path) -> None:
    """Slash-joined words with no extension ('method/path/protocol', 'd/') may be anything, so a missing one is a
    warning; a missing file with a directory is an error."""
    inputs = "1. Faster start-up. 2. A new audit browser. 3. Fewer crashes."
    for name, severity in (
        ("method/path/protocol", specs.Severity.WARNING),
        ("vendor/lib/", specs.Severity.WARNING),
        ("logs/crash-2026-11-28.txt", specs.Severity.ERROR),
    ):
        text = GOOD_SPEC.replace(inputs, f"{inputs}\nEach line of `{name}` is one request.")
        assert _severity(text, "missing-input", cwd=tmp_path) == severity, name


def test_a_reference_in_the_escalation_notes_is_a_warning() -> None:
    """Escalation and Verification are about what happens after the work ('comment on the release PR'): a
    reference there is most often to something still to come, so it does not refuse the spec."""
    note = "None: the draft is internal and reviewed before it is used."
    later = GOOD_SPEC.replace(note, "Ask before changing anything the team decided in the planning doc.")
    assert {f.severity for f in specs.lint(later) if f.rule == "hidden-context"} == {specs.Severity.WARNING}
    earlier = later.replace("Summarise the three", "Following the planning doc, summarise the three")
    severities = [f.severity for f in specs.lint(earlier) if f.rule == "hidden-context"]
    assert severities[0] == specs.Severity.ERROR and specs.Severity.WARNING in severities[1:]


def test_a_web_run_may_leave_out_inputs_when_goal_and_output_are_stated() -> None:
    """A web run's material is the web it searches; a stateless model with no Inputs has nothing to work on."""
    search = (
        "Goal: Find 5 openly licensed datasets of street-tree inventories for European cities.\n"
        "Non-goals: no paid data.\n"
        "Output: A Markdown table with columns City, Dataset, Licence, URL. Exactly 5 rows.\n"
    )
    search = search.replace("European cities", "the cities listed below")
    for target, severity in (("web", specs.Severity.WARNING), ("stateless", specs.Severity.ERROR)):
        found = [f for f in specs.lint(search, target=target) if f.message.startswith("no Inputs section")]
        assert [f.severity for f in found] == [severity], target


def test_a_plural_container_is_a_shape() -> None:
    """'The files you changed' is a list of files, as 'the file' is one."""
    output = "Plain text, one sentence, at most 30 words."
    for shape in ("The names of the files you changed.", "The functions you added."):
        assert "vague-output" not in rules(GOOD_SPEC.replace(output, shape)), shape
    assert "vague-output" in rules(GOOD_SPEC.replace(output, "Your thoughts on it."))


def test_material_listed_under_the_ask_is_the_inputs() -> None:
    """Items listed under the ask ('## Task' with the timestamps below it) hand the material over; a goal with
    nothing under it still needs its Inputs."""
    listed = (
        "## Task\nConvert each of the timestamps below to ISO 8601 in UTC, from Europe/Paris local time.\n\n"
        "- 2026-03-29 01:30\n- 2026-10-25 02:30\n\n"
        "## Deliverable\nOne line per timestamp, same order, in the form `input -> output`. Nothing else.\n"
    )
    assert not specs.has_errors(specs.lint(listed))
    bare = listed.replace("- 2026-03-29 01:30\n- 2026-10-25 02:30\n\n", "")
    assert {f.message for f in specs.lint(bare) if f.severity == specs.Severity.ERROR} == {
        "no Non-goals section",
        "no Inputs section",
    }


def test_a_shape_stated_after_the_ask_is_the_output_contract() -> None:
    """With no Output section, a checkable shape stated after the ask ('at most 20 lines', a Requirements list's
    'Under 80 words') is the contract; a size in the ask names the material ('the two sentences below'), and an
    answer named by an indefinite ('return something') is vague."""
    ask = "Please review `src/billing/invoice.py` for places where money is computed with floats.\n\n"
    shaped = ask + "List each one as `path:line — fix`, at most 20 lines. Don't change any code.\n"
    assert "vague-output" not in rules(shaped, target="agent")
    assert "vague-output" in rules(ask + "Don't change any code.\n", target="agent")
    vague = ask + "It should return something indicating each place. Don't change any code.\n"
    assert rules(vague, target="agent")["vague-output"].quote.startswith("return something indicating")
    in_the_ask = (
        "## Goal\nTranslate the two sentences below into German.\n## Non-goals\nNone.\n## Inputs\n- Hi.\n- Bye.\n"
    )
    assert {f.message for f in specs.lint(in_the_ask) if f.severity == specs.Severity.ERROR} == {"no Output section"}


def test_an_agent_is_where_the_repository_is(tmp_path: Path) -> None:
    """For an agent, 'the script is in the repo' puts the material where it works; 'in the warehouse' does not."""
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "backup.sh").write_text("tar czf ...\n")
    inputs = "1. Faster start-up. 2. A new audit browser. 3. Fewer crashes."
    text = GOOD_SPEC.replace(inputs, "Our nightly job is `scripts/backup.sh`. The script is in the repo.")
    assert "input-not-given" not in rules(text, target="agent", cwd=tmp_path)
    elsewhere = text.replace("in the repo", "in the warehouse")
    assert rules(elsewhere, target="agent", cwd=tmp_path)["input-not-given"].quote == "is in the warehouse"


def test_earlier_work_handed_over_in_its_own_sentence_is_no_hidden_reference() -> None:
    """'I ran a survey last month; the answers are below' hands the survey over; a pointer before the reference
    points at something else ('the answer quoted below, in the tone Dana pushed for')."""
    goal = "Summarise the three numbered points below into one sentence for a release announcement draft."
    ran = GOOD_SPEC.replace(goal, "We ran a beta last month; its three findings are listed below. " + goal)
    assert "hidden-context" not in rules(ran)
    toned = GOOD_SPEC.replace(goal, goal[:-1] + ", in the tone Dana pushed for.")
    assert "hidden-context" in rules(toned)


def test_a_goal_that_names_nothing_to_work_on_needs_no_inputs() -> None:
    """'Give me five title ideas for a talk about ...' is its own input; 'Summarise the incident report' names a
    thing it does not give."""
    ideas = "Give me five title ideas for a 20-minute talk about learning SQL. Numbered list, nothing else.\n"
    assert not specs.has_errors(specs.lint(ideas))
    named = "Summarise the incident report for the exec team. Five bullets, nothing else.\n"
    assert "no Inputs section" in {f.message for f in specs.lint(named) if f.severity == specs.Severity.ERROR}


def test_an_ask_under_a_heading_of_the_writers_own_is_the_goal() -> None:
    text = (
        '### Background\nFive support emails, pasted:\n\n1. "Wrong VAT number on my invoice."\n2. "How do I add '
        "an admin?\"\n\n### What I'd like\nSuggest a routing label for each: billing, account or bug.\n\n"
        "### Format\nA Markdown table: #, label, one-line reason.\n"
    )
    assert specs.parse(text).get("goal").startswith("Suggest a routing label")
    assert not specs.has_errors(specs.lint(text))


def test_a_web_run_sends_nothing() -> None:
    """A web run reads: 'the npm page ... last publish date' is read about, not done; for a run that can send,
    the same words are an act on real people."""
    text = (
        "Find out whether the left-pad package is still maintained: check its npm page for the last publish date.\n"
        "Report as three bullets with a link each.\n"
    )
    assert "missing-escalation" not in rules(text, target="web")
    assert "missing-escalation" in rules(text.replace("check its npm page for", "publish to npm with"))


def test_a_system_in_prose_is_where_material_is_only_after_material() -> None:
    """In prose, 'the storage cost on S3' is the subject; under an Inputs heading, 'from the shared drive' says
    where the material is."""
    prose_spec = (
        "Estimate the monthly storage cost on S3 for 12 TB stored, at $0.023/GB-month. Don't add request costs.\n"
        "Show the arithmetic, then the total in USD, as at most 5 lines.\n"
    )
    assert not specs.has_errors(specs.lint(prose_spec))
    inputs = "1. Faster start-up. 2. A new audit browser. 3. Fewer crashes."
    headed = GOOD_SPEC.replace(inputs, "This month's release notes (the batch from the shared drive).")
    assert rules(headed)["input-not-given"].quote == "from the shared drive"


def test_after_a_review_to_come_is_no_meeting() -> None:
    note = "None: the draft is internal and reviewed before it is used."
    goal = "Summarise the three numbered points below into one sentence for a release announcement draft."
    later = GOOD_SPEC.replace(goal, goal + " I will post it myself after review.").replace(note, "Do not post it.")
    assert "hidden-context" not in rules(later)
    assert "hidden-context" in rules(later.replace("after review", "after the review"))


def test_a_meeting_named_as_the_source_of_what_is_given_is_no_hidden_reference() -> None:
    given = "Below are my raw notes from today's planning session. List every action item as a Markdown table.\n\n"
    notes = "```\n- Ana to draft the hiring plan by Fri\n- Li: update the on-call rota\n```\n"
    assert "hidden-context" not in rules(given + notes)
    assert "hidden-context" in rules(given.replace("Below are my raw notes", "Use the decisions") + notes)


def test_a_shape_in_other_words_after_the_ask_is_the_contract() -> None:
    """'Show both as a small table' says what comes back, on the ask's own line after its first sentence."""
    text = (
        "Offer A pays 72,000 EUR base with a 10% bonus; offer B pays 68,000 EUR with 15%.\n\n"
        "Compute the expected annual cash for each. Show both as a small table. Don't recommend one.\n"
    )
    assert "vague-output" not in rules(text)
    assert "vague-output" in rules(text.replace(" Show both as a small table.", ""))


def test_in_prose_a_person_living_somewhere_is_no_place_for_material() -> None:
    text = "Write a 3-sentence bio of Dana, a staff engineer who lives in Lisbon. Third person, no superlatives.\n"
    assert "input-not-given" not in rules(text)


def test_a_backticked_command_names_its_arguments_not_one_spaced_file() -> None:
    assert specs.paths_in("`pytest analytics/tests/test_report.py` passes") == ["analytics/tests/test_report.py"]
    assert specs.paths_in("`kubeconform -strict deploy/api.yaml`") == ["deploy/api.yaml"]
    assert specs.paths_in("`docs/release notes.md`") == ["docs/release notes.md"]
    # a program not in any list, with its subcommand: its argument is the path, not the span
    assert specs.paths_in("`promtool check rules k8s/rules.yaml`") == ["k8s/rules.yaml"]
    assert specs.paths_in("`my notes/*.md`") == ["my notes/*.md"]


def test_a_command_on_a_file_that_exists_is_not_a_missing_input(tmp_path: Path) -> None:
    (tmp_path / "analysis").mkdir()
    (tmp_path / "analysis" / "power.R").write_text("# stand-in\n")
    text = GOOD_SPEC.replace("## Inputs\n", "## Inputs\n`Rscript analysis/power.R` prints the table.\n", 1)
    assert "missing-input" not in rules(text, cwd=tmp_path, target="agent")
    assert "missing-input" in rules(text.replace("power.R`", "power2.R`"), cwd=tmp_path, target="agent")


def test_a_web_run_is_sent_to_find_an_organisations_published_pages() -> None:
    text = (
        "Find the page limits for an R21 on NIH's own pages (grants.nih.gov), fetching each page you cite.\n"
        "Output: two lines, each a limit, the URL and a quote of at most 25 words.\n"
        "Non-goals: no university summaries.\n"
    )
    assert "input-not-given" not in rules(text, target="web")
    assert "input-not-given" in rules(text.replace(" (grants.nih.gov)", ""), target="web")  # which site, then?
    assert "input-not-given" in rules(text.replace("NIH's own pages", "Maria's notes"), target="web")
    located = (
        "Goal: Find the current rule on soft opt-in for donor emails.\n"
        "Inputs: The guidance pages are on ico.org.uk, under electronic marketing.\n"
        "Output: at most five bullets, each a page title and its URL.\nNon-goals: no legal advice.\n"
    )
    assert "input-not-given" not in rules(located, target="web")
    assert "input-not-given" in rules(located.replace("ico.org.uk", "our intranet"), target="web")


def test_a_heading_in_the_writers_own_words_names_its_section() -> None:
    text = (
        "# Minimum wage rates\n\n## Why\nPayroll checks rates.\n\n## What to find\nThe hourly rates from April.\n\n"
        "## Out of scope\nAdvice.\n\n## What you return\nA Markdown table, one row per band.\n\n"
        "## If in doubt\nLeave the band out and say so.\n"
    )
    sections = specs.parse(text).sections
    assert {name: s.line for name, s in sections.items() if not s.inferred} == {
        "inputs": 3,
        "goal": 6,
        "non-goals": 9,
        "output": 12,
        "escalation": 15,
    }
    # A heading's first words name its section only when they say what it is: results handed over are material.
    assert "output" not in specs.parse("## Results of the last run\n12 failures.\n").sections


def test_a_heading_naming_what_a_section_is_about_is_not_that_section() -> None:
    text = (
        "# Crash\n\n## Goal\nFind why the nightly job crashes.\n\n## Output of the crashing job\n```\n"
        "Traceback (most recent call last):\n  KeyError: 'sku'\n```\n\n## What you return\nOne paragraph naming the cause.\n"
    )
    output = specs.parse(text).sections["output"]
    assert (output.line, output.body.strip()) == (12, "One paragraph naming the cause.")
    for heading in ("Output from the failing run", "The output of `make test`", "Deliverables of the old vendor"):
        assert spec_sections.heading_section(heading) is None, heading
    for heading in ("Output format", "Output of this task", "Output for the board", "Outputs", "Deliverable by Friday"):
        assert spec_sections.heading_section(heading) == "output", heading


def test_a_brief_of_labelled_bullets_has_its_sections_but_a_list_item_of_a_section_is_data() -> None:
    brief = specs.parse(
        "- Task: add a --month flag.\n- Don't: touch the SQL.\n- Return: a diff.\n- Verify: tests pass.\n"
    )
    assert {name for name, s in brief.sections.items() if not s.inferred} == {
        "goal",
        "non-goals",
        "output",
        "verification",
    }
    listed = specs.parse("Inputs:\n- Region: GB\n- Format: E.164\n")
    assert "output" not in listed.sections
    assert "Format: E.164" in listed.get("inputs")


def test_rows_split_by_pipes_without_outer_pipes_are_data() -> None:
    from core.checklist import prose

    section = specs.Section("inputs", 1, "Data (id | merchant | memo):\n  C01 | FIGMA | design seats\n", 1)
    assert [line.data for line in prose.lines(section)] == [False, True]


def test_material_pointed_at_with_a_demonstrative_over_a_block_is_given() -> None:
    block = "\n```\n- admins block holidays\n- patients see the next free slot\n```\n"
    text = f"Turn these notes into user stories. Don't invent what isn't in the notes.{block}Output: a Markdown list."
    found = rules(text)
    assert "hidden-context" not in found and "input-not-given" not in found
    # With nothing pasted, the same words point at notes the spec does not hold.
    assert "input-not-given" in rules(text.replace(block, "\n"))
    # A demonstrative inside the reference itself points at nothing else.
    hidden = "Flag outliers. Use the rule from the version of this analysis Ines circulated.\n```\nA1 0.1\n```\n"
    assert "hidden-context" in rules(hidden + "Output: JSON.")


def test_a_caption_over_a_list_introduces_its_items() -> None:
    text = "Need subject lines for our newsletter.\n\nContent of the issue:\n- Year-end checklist\n- Holiday hours\n\n"
    assert "hidden-context" not in rules(text + "Format: numbered list of 6 lines, `Subject — Preview`.")


def test_a_risky_act_ruled_out_is_not_the_work_and_a_note_in_prose_counts() -> None:
    label = "Label each ticket below with one of: billing, bug.\n\n> T1: charged twice\n\nOutput: JSON Lines.\n"
    assert "missing-escalation" not in rules(label.replace("\n\n>", " Don't reply to the customers, just label.\n\n>"))
    assert "missing-escalation" in rules(label.replace("\n\n>", " Then reply to the customers.\n\n>"))
    reply = "Draft a reply to the customer below.\n\n> Can I get a refund?\n\nReturn plain text, 90-150 words."
    assert "missing-escalation" in rules(reply)
    held = reply + " If the ticket contradicts the policy, don't draft a reply; return a single line `ESCALATE:`."
    assert "missing-escalation" not in rules(held)


def test_an_agent_opens_a_place_named_beside_a_path_that_is_there(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "api.yaml").write_text("x\n")
    (tmp_path / "deploy" / "invoice.pdf").write_text("x\n")
    spec = GOOD_SPEC.replace(INPUT_LINE, "The pods in staging are OOM-killed. The manifest is `deploy/api.yaml`.")
    assert "input-not-given" not in rules(spec, cwd=tmp_path, target="agent")
    assert "input-not-given" in rules(spec.replace("deploy/api.yaml", "k8s/api.yaml"), cwd=tmp_path, target="agent")
    pdf = GOOD_SPEC.replace(INPUT_LINE, "`deploy/invoice.pdf` has 3 pages.")
    assert "input-not-given" not in rules(pdf, cwd=tmp_path, target="agent")
    assert "input-not-given" in rules(pdf.replace("invoice", "missing"), cwd=tmp_path, target="agent")
    printed = GOOD_SPEC.replace(INPUT_LINE, "Print one line per object: `WOULD DELETE s3://bucket/key (age)`.")
    assert "input-not-given" not in rules(printed, cwd=tmp_path, target="agent")


def test_material_before_the_answer_on_the_same_line_is_the_inputs(tmp_path: Path) -> None:
    text = "Make `parse_rows()` detect the BOM. The failing example is at fixtures/feed.csv. Send back a diff."
    assert "missing-input" in rules(text, cwd=tmp_path, target="agent")
    assert specs.parse(text).get("output") == "Send back a diff."


def test_what_is_matched_against_what_is_pasted_must_be_given_too() -> None:
    text = (
        "Could you match each line of the November bank export against the ledger lines pasted below?\n\n"
        "2026-11-03, ACME-4471, -1,250.00\n2026-11-05, PAYROLL, -48.22\n\nSend back a CSV `ref,status`."
    )
    assert rules(text)["input-not-given"].quote == "the November bank export"
    assert "input-not-given" not in rules(text.replace("the November bank export", "each ledger line"))


def test_a_web_runs_answer_that_is_published_is_a_risk() -> None:
    text = (
        "Compare entry-level pricing for four scheduling tools from each vendor's pricing page.\n\n"
        "Your answer is published as-is to the public comparison page, as a Markdown table `Product | USD`."
    )
    assert rules(text, target="web")["missing-escalation"].quote == "published as-is to the public"
    read = "Find when each vendor's pricing page was last published to the public. Return a Markdown table."
    assert "missing-escalation" not in rules(read, target="web")


def test_a_goal_open_to_what_strikes_the_contractor_or_ending_on_a_judgement_is_vague() -> None:
    for goal, quote in (
        ("Clean up whatever looks messy in the api client.", "whatever looks messy"),
        ("Draft the PRD from the notes below. Polish it up until it's in good shape.", "until it's in good shape"),
        ("See what you can do with the hero copy below.", "see what you can do with the hero copy below"),
    ):
        assert rules(GOOD_SPEC.replace(GOAL_LINE, goal))["vague-goal"].quote.lower() == quote
    assert "vague-goal" not in rules(GOOD_SPEC.replace(GOAL_LINE, "Fix the parser until the tests below pass."))


def test_a_habit_or_our_usual_practice_is_a_convention_not_spelled_out() -> None:
    for goal, quote in (
        ("Compare the clause below to our usual position on non-solicit.", "our usual position"),
        (
            "Draft a reply offering the compensation we normally give for an outage.",
            "the compensation we normally give",
        ),
    ):
        assert rules(GOOD_SPEC.replace(GOAL_LINE, goal))["hidden-context"].quote == quote


def test_a_heading_that_names_a_section_refers_to_nothing() -> None:
    text = GOOD_SPEC.replace("## Goal\n", "## What I need\n")
    assert "hidden-context" not in rules(text)
    assert specs.section_heading("## What I need") and not specs.section_heading("What I need: a list of dates")


def test_the_source_of_what_is_handed_over_named_in_the_title_and_the_writers_own_words_are_no_references() -> None:
    text = (
        "# Actions from the warehouse ops sync\n\nBelow are my notes from this morning's warehouse ops sync. "
        "List only things someone agreed to do.\n\n> Marco will swap the access point by Friday.\n\n"
        "If the notes name more than the three I named, tell me. Return a Markdown table `action | owner`."
    )
    found = rules(text)
    assert "hidden-context" not in found and "vague-goal" not in found
    assert "hidden-context" in rules(text.replace("the three I named", "the three I named in the ticket"))


def test_a_role_in_a_sentence_about_each_case_is_that_cases() -> None:
    text = GOOD_SPEC.replace(GOAL_LINE, "Label each point below. If a point fits two, pick the one the customer needs.")
    assert "hidden-context" not in rules(text)
    assert "hidden-context" in rules(text.replace("If a point fits two, pick", "Pick"))


def test_refunds_picked_up_by_a_job_and_text_fed_straight_to_a_send_queue_are_risks() -> None:
    for line in (
        "Produce the refund batch; the file is picked up by the Stripe refund job.",
        "Write the apology; it goes straight into the send queue for the affected accounts.",
    ):
        assert "missing-escalation" in rules(
            GOOD_SPEC.replace(GOAL_LINE, line).replace("## Escalation\n", "## Notes\n")
        )


def test_a_verb_ends_the_noun_phrase_of_a_thing_named(tmp_path: Path) -> None:
    described = GOOD_SPEC.replace(INPUT_LINE, "Our CRM import receives phone numbers typed by humans. We need E.164.")
    assert "input-not-given" not in rules(described)
    assert "input-not-given" in rules(
        GOOD_SPEC.replace(INPUT_LINE, "Our CRM import numbers typed by humans. We need E.164.")
    )


def test_a_file_the_goal_reads_must_be_there(tmp_path: Path) -> None:
    goal = "Add validation following the rules in docs/specs/signup.md. Put the tests in tests/test_signup.py."
    found = [f for f in specs.lint(GOOD_SPEC.replace(GOAL_LINE, goal), cwd=tmp_path) if f.rule == "missing-input"]
    assert [f.quote for f in found] == ["docs/specs/signup.md"]


def test_what_comes_back_in_other_openings_is_the_output() -> None:
    for answer in (
        "When you're done, send over something I can look at.",
        "Let me know how it goes.",
        "Just give me your take on it.",
        "Format is up to you.",
    ):
        parsed = specs.parse(f"Add type hints to lib/pricing/rules.py so that mypy passes.\n\n{answer}\n")
        assert parsed.get("output") == answer


def test_a_urls_colon_hands_nothing_over() -> None:
    goal = "Offer the compensation we normally give, and point to the postmortem at https://status.example/1."
    assert rules(GOOD_SPEC.replace(GOAL_LINE, goal))["hidden-context"].quote == "the compensation we normally give"


def test_setext_headings_open_their_sections() -> None:
    text = "Fix the crash\n=============\n\nGoal\n----\nFix parse_date so it accepts ISO weeks.\n\nOutput\n------\nA diff.\n"
    parsed = specs.parse(text)
    assert {name: s.line for name, s in parsed.sections.items() if not s.inferred} == {"goal": 4, "output": 8}
    assert parsed.get("goal") == "Fix parse_date so it accepts ISO weeks."
    # A rule under a paragraph's last line is no heading of that line alone: the goal is read from the prose.
    assert specs.parse("Some context here\nGoal\n----\nText.\n").sections["goal"].inferred


def test_code_that_drops_rows_is_described_not_asked_for() -> None:
    described = GOOD_SPEC.replace(INPUT_LINE, "The loader drops rows with an empty id; see the points above.")
    assert "missing-escalation" not in rules(described.replace("## Escalation\n", "## Notes\n"))
    asked = GOOD_SPEC.replace(GOAL_LINE, "Drop rows with an empty id from the orders table in the database.")
    assert "missing-escalation" in rules(asked.replace("## Escalation\n", "## Notes\n"))


def test_a_heading_that_is_a_label_and_a_bold_line_open_their_sections() -> None:
    parsed = specs.parse(
        "## Goal: fix parse_date so it accepts ISO weeks\n\n**Inputs**\n`src/a.py`\n\n## Output: a diff\n"
    )
    assert {name: (s.line, parsed.get(name)) for name, s in parsed.sections.items() if not s.inferred} == {
        "goal": (1, "fix parse_date so it accepts ISO weeks"),
        "inputs": (3, "`src/a.py`"),
        "output": (6, "a diff"),
    }


def test_work_due_before_an_event_is_a_deadline_not_an_earlier_state() -> None:
    due = GOOD_SPEC.replace(GOAL_LINE, "Summarise the three points below for the review before Thursday's deploy.")
    assert "hidden-context" not in rules(due)
    earlier = GOOD_SPEC.replace(GOAL_LINE, "Summarise the three points below in the wording from before the redesign.")
    assert rules(earlier)["hidden-context"].quote == "from before the redesign"


def test_a_prohibition_rules_out_only_the_act_before_the_sentence_turns() -> None:
    listed = "List the duplicate charges below.\n\n> C1 charged twice\n\nOutput: one line per charge.\n"
    assert "missing-escalation" not in rules(listed)
    for turned in (
        "Don't ask me first, just issue the refunds to every customer.",
        "Don't wait for my review, post it straight into the customer's thread.",
        "Don't list them but issue the refunds to every customer.",
    ):
        assert "missing-escalation" in rules(listed.replace("below.", f"below. {turned}")), turned
    for ruled_out in (
        "Don't issue the refunds, just list them.",
        "Don't email, call or post in the customer's thread.",
    ):
        assert "missing-escalation" not in rules(listed.replace("below.", f"below. {ruled_out}")), ruled_out


def test_a_short_ask_over_what_it_introduces_or_over_each_item_is_a_whole_task() -> None:
    signature = "```python\ndef parse_version(s: str) -> tuple[int, int, int]: ...\n```\n"
    ask = "Maintainer of `relcheck` here. Write a function:\n\n" + signature + "\nReturn one ```python block."
    assert "vague-goal" not in rules(ask)
    assert "vague-goal" in rules(ask.replace(signature, "Something about versions.\n"))
    added = (
        "`qc.py` writes a summary. Add:\n\n- `mapping_rate = mapped / total`\n- a `qc_flag` column\n\nReturn a diff."
    )
    assert "vague-goal" not in rules(added)
    rows = "Categorise each transaction below.\n\n```\nFIGMA 45.00\nUBER 38.10\n```\n\nOutput: CSV `merchant,category`."
    assert "vague-goal" not in rules(rows)
    assert "vague-goal" in rules(rows.replace("Categorise each transaction", "Sort things"))


def test_earlier_work_handed_over_in_the_next_sentence_or_asked_back_is_no_hidden_context() -> None:
    survey = "We ran a 2-week survey on the setup flow. Below are the 3 answers. Group them into themes.\n"
    data = "\n> too many steps\n> slow invite\n> unclear pricing\n\nOutput: a Markdown list of themes.\n"
    assert "hidden-context" not in rules(survey + data)
    assert "hidden-context" in rules(survey.replace("Below are the 3 answers.", "It went well.") + data)
    cite = (
        'Confirm the cardinal plural categories for: pl, ar.\n\nSource: the CLDR "Language Plural Rules" chart '
        "(cldr.unicode.org). Fetch it; cite the exact URL you used and the CLDR version shown on the page.\n"
        "Output: a Markdown table locale | categories.\n"
    )
    assert "hidden-context" not in rules(cite, target="web")
    assert "hidden-context" in rules(cite.replace("cite the exact", "start from the exact"), target="web")


def test_a_partner_who_edits_it_before_it_goes_out_is_an_escalation_note() -> None:
    draft = (
        "Write the key findings slide for the client below.\n\n> spend up 4%\n\nOutput: 3 bullets, at most 60 words."
    )
    assert "missing-escalation" in rules(draft + " It goes to the client.")
    assert "missing-escalation" not in rules(draft + " A partner will edit it before it goes to the client.")


def test_a_path_under_a_host_name_is_a_url_not_a_missing_file(tmp_path: Path) -> None:
    text = "Source: unicode.org/cldr/charts/latest/plural_rules.html. List the plural categories. Output: a list."
    assert _severity(text, "missing-input", cwd=tmp_path) == specs.Severity.WARNING
    assert _severity(text.replace("unicode.org/", "charts/"), "missing-input", cwd=tmp_path) == specs.Severity.ERROR


def test_a_title_that_starts_with_a_verb_names_the_task_and_the_prose_under_it_asks() -> None:
    text = "# Edit: feature on bus cuts\n\nFeatures desk. Draft below. Do whatever you think it needs.\n\n---\nThe 47 stopped.\n"
    goal = specs.parse(text).sections["goal"]
    assert (goal.line, "vague-goal" in rules(text)) == (3, True)


def test_an_agent_who_reviews_and_sends_it_is_an_escalation_note() -> None:
    reply = "Draft a reply to this customer.\n\n> Can I get a refund?\n\nReturn plain text, at most 140 words."
    assert "missing-escalation" in rules(reply)
    assert "missing-escalation" not in rules(reply.replace("customer.", "customer. An agent will review it first."))


def test_what_im_after_is_the_ask_and_whatevers_worth_knowing_leaves_it_open() -> None:
    text = (
        "# Research: WebAssembly outside the browser\n\nUse web_search and web_fetch.\n\n"
        "What I'm after: find out whatever's worth knowing about this space.\n\n"
        "Return: markdown, max 600 words, each paragraph ending with its source URL.\n"
    )
    assert specs.parse(text).sections["goal"].line == 5
    assert rules(text, target="web")["vague-goal"].quote == "whatever's worth knowing"
    assert "vague-goal" not in rules(text.replace("whatever's worth knowing about", "which runtimes support WASI in"))


def test_counted_things_are_bounded_scope() -> None:
    text = "Rewrite the summary below into Need, Activities (the three things we'll do in 2027) and Outcomes."
    data = "\n\n> We run a food bank.\n\nOutput: three headed paragraphs, at most 300 words."
    assert "vague-goal" not in rules(text + data)
    assert "vague-goal" in rules(text.replace("the three things", "the things") + data)


def test_a_verb_with_a_number_and_a_caption_names_an_item_not_the_ask() -> None:
    text = (
        "Our reminder texts:\n\n"
        'Text 2 (week 1): "Your parcel is waiting at the depot for you."\n'
        'Text 3 (week 2): "Last chance to collect your parcel from us."\n\n'
        "Rewrite each text so it fits in 80 characters.\n\nOutput: the two texts, one per line."
    )
    assert specs.parse(text).sections["goal"].line == 6


def test_an_ask_for_everything_on_a_topic_or_for_what_to_do_leaves_the_scope_open() -> None:
    tail = "\n\nOutput: a numbered list of at most 5 items, one sentence each."
    for goal, quote in (
        ("Tell me everything important regarding solar subsidies.", "everything important regarding solar"),
        ("Suggest what we could try with the rota.", "what we could try"),
    ):
        assert rules(goal + tail)["vague-goal"].quote == quote
    assert "vague-goal" not in rules("List the three rota changes that cut overtime below 10 hours." + tail)


def test_what_a_goal_keeps_as_it_is_does_not_say_when_it_is_done() -> None:
    tail = " Keep the 20% discount and the 3 dates; don't add offers.\n\n> Spring sale now on.\n\nOutput: plain text."
    assert rules("Just make the flyer better." + tail)["vague-goal"].quote == "Just make the flyer better"
    assert "vague-goal" not in rules("Make the flyer fit in 40 words." + tail)


def test_what_a_named_thing_has_is_its_columns_not_its_rows() -> None:
    line = "Use the export from purchasing — it has {}.\n\nOutput: a CSV with header `item,band`."
    assert rules(line.format("item, supplier, unit cost and margin"))["input-not-given"].quote == "the export"
    assert "input-not-given" not in rules(line.format("tea 3.10, coffee 2.20, juice 4.00"))


def test_an_api_response_shape_is_not_sent_to_people_and_a_kept_call_or_held_back_push_is_a_note() -> None:
    api = "Goal: add a `next` cursor; this changes the public response schema.\nOutput: a unified diff.\n"
    assert "missing-escalation" not in rules(api, target="agent")
    assert "missing-escalation" in rules("Draft the public response to the outage.\n\nOutput: 100 words.")
    prod = "Goal: write the SQL to backfill `plan` on the prod users table.\nOutput: one SQL block.\n"
    assert "missing-escalation" in rules(prod)
    assert "missing-escalation" not in rules(prod + "Running it on prod is my call.\n")
    assert "missing-escalation" not in rules(prod + "Do not commit or push; leave it in the working tree.\n")
    assert "missing-escalation" in rules(prod + "Don't merge rows of the same user.\n")


def test_a_label_with_a_qualifier_opens_its_section_and_a_web_run_may_name_hosts() -> None:
    text = (
        "Goal: find the end-of-support date of Python 3.10.\n"
        "Sources, in priority order: the project's own page (python.org/downloads).\n"
        "Output, markdown:\n- `Date:` YYYY-MM-DD\n"
    )
    parsed = specs.parse(text)
    assert (parsed.sections["inputs"].line, parsed.sections["output"].line) == (2, 3)
    assert "input-not-given" not in rules(text, target="web")
    assert "input-not-given" in rules(text.replace("python.org/downloads", "see the docs"), target="web")


def test_an_answer_sentence_under_the_goal_label_is_the_output() -> None:
    text = (
        "Q3 spend by team:\n\n| Team | Spend |\n|---|---|\n| Ops | 40 |\n\n"
        "Goal: explain the spend for the board. Don't guess causes.\nSend back whatever seems useful.\n"
    )
    assert rules(text)["vague-output"].quote.startswith("whatever")
    assert "missing-section" not in {
        f.rule for f in specs.lint(text) if f.severity == specs.Severity.ERROR and f.message == "no Output section"
    }
    fixed = text.replace("whatever seems useful", "one paragraph of at most 80 words")
    assert "vague-output" not in rules(fixed)


def test_a_later_ask_in_the_prose_is_work_and_where_it_goes_out_is_not_material() -> None:
    text = (
        "We had an outage last night from 21:10 to 22:35 UTC. Read the vendor's postmortem at "
        "https://status.example.com/incidents/42 first.\n\n"
        "Draft the user-facing notice; it is posted to our status page tonight.\n\n"
        "Output: a title (max 70 characters) and 100-150 words of plain text.\n"
    )
    found = rules(text, target="web")
    assert found["missing-escalation"].quote == "user-facing"
    assert "input-not-given" not in found


def test_a_file_written_into_is_made_and_a_directory_material_is_in_must_be_there(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "parse.py").write_text("# stand-in\n")
    text = (
        "Write pytest tests in `checks/test_parse.py` for `app/parse.py`, driven by the samples in "
        "`checks/samples/dates/` (one test per sample).\n\nOutput: the new test file.\n"
    )
    found = {f.quote: f.severity for f in specs.lint(text, cwd=tmp_path, target="agent") if f.rule == "missing-input"}
    assert found == {"checks/samples/dates/": specs.Severity.ERROR}
    (tmp_path / "checks" / "samples" / "dates").mkdir(parents=True)
    assert "missing-input" not in rules(text, cwd=tmp_path, target="agent")
    assert (
        _severity(
            "Logs go to /var/log/shop/ now. Explain how to rotate them. Output: 3 steps.", "missing-input", cwd=tmp_path
        )
        != specs.Severity.ERROR
    )


def test_a_relative_moment_is_pinned_down_when_the_spec_states_a_date_or_a_time() -> None:
    text = (
        "# Gateway errors from last night\n\nExplain each error.\n\n```\n{}[error] upstream timed out\n```\n\n"
        "Output: one bullet per error."
    )
    assert "hidden-context" in rules(text.format(""))
    assert "hidden-context" not in rules(text.format("2026/12/02 03:14:07 "))


def test_an_answer_sentence_over_a_block_holds_the_block_and_a_kept_call_is_a_note() -> None:
    text = (
        "Diagnose the failing health check on the prod load balancer from the lines below.\n\n"
        "> 503 from /healthz at 04:10\n\n"
        "Send back exactly this:\n```\nCAUSE: <one sentence>\nNEXT: <up to 3 read-only commands>\n```\n"
    )
    found = rules(text)
    assert "vague-output" not in found
    assert "missing-escalation" in found
    assert "missing-escalation" not in rules(text + "If you think a restart is needed, say so under NEXT.\n")


def test_a_distributive_opening_leads_the_answer_sentence() -> None:
    text = "I need the release dates of Go 1.22 and 1.23. For each version return one row: version | date | URL.\n"
    assert specs.parse(text).get("output").startswith("For each version return")


def test_an_act_someone_asks_to_do_themselves_is_a_case_and_a_document_it_is_for_is_no_material() -> None:
    label = "Label each message below `cancel` or `other`; `cancel` wins when a customer {} their subscription.\n"
    data = '\nM1 "Please stop my plan, I am moving abroad next month."\n\nReturn: one label per line.\n'
    assert "missing-escalation" not in rules(label.format("asks to cancel") + data)
    assert "missing-escalation" in rules(label.format("asks us to cancel") + data)
    summary = "I need the EOL dates of the supported Ruby branches for {}.\n\nRead https://www.ruby-lang.org/en/downloads/branches/ first.\n"
    tail = "Return: a markdown table, 2 rows.\n"
    assert "input-not-given" not in rules(summary.format("our upgrade policy doc") + tail, target="web")
    assert "input-not-given" in rules(
        "Write tests for our billing module. Return: one Python code block.\n", target="stateless"
    )


def test_the_title_names_the_task_so_its_risk_needs_a_note() -> None:
    text = "# Apply the schema change on production\n\nRun `make migrate`.\n\nOutput: the command's last 5 lines.\n"
    assert rules(text, target="agent")["missing-escalation"].quote == "on production"
    assert "missing-escalation" not in rules(text.replace("on production", "on a scratch copy"), target="agent")


def test_a_text_that_goes_out_to_a_counted_crowd_reaches_real_people() -> None:
    text = "Write the delay notice below.\n\n> Orders ship late.\n\nOutput: plain text, 120 words. It is sent to {} couriers.\n"
    assert rules(text.format("all 3,100"))["missing-escalation"].quote == "sent to all 3,100 couriers"
    assert "missing-escalation" not in rules(text.format("the two"))


def test_a_labels_paragraph_that_runs_on_into_the_answer_sentence_holds_the_output() -> None:
    text = (
        "Check the 3 FAQ answers below for typos.\n\n> A: We ship in 2 days.\n\n"
        "Out of scope: changing facts.\nReturn {}.\n"
    )
    assert "vague-output" not in rules(text.format("each answer, corrected, one per line"))
    assert rules(text.format("whatever you think works"))["vague-output"].quote.startswith("whatever")
    assert rules("Compare the 2 CSVs below. Write up what you find in whatever form is easiest.\n\n```\na,b\n```\n")[
        "vague-output"
    ].quote.startswith("whatever")


def test_a_list_after_a_caption_is_not_the_files_content_and_a_bare_name_ends_a_path_beside_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "locales").mkdir()
    for name in ("en.json", "de.json"):
        (tmp_path / "locales" / name).write_text("{}\n")
    compare = "Compare locales/en.json with locales/de.json and list keys in en.json missing from de.json.\n"
    assert "missing-input" not in rules(compare + "Output: one key per line.\n", cwd=tmp_path, target="agent")
    rules_over = "Rules, checked against the rows in fixtures/broken.csv:\n- a → 1\n- b → 2\n\nWrite the SQL. Output: one SQL block.\n"
    assert rules(rules_over, cwd=tmp_path, target="agent")["missing-input"].quote == "fixtures/broken.csv"


def test_an_embargoed_text_is_sensitive_and_whatevers_wrong_leaves_the_scope_open() -> None:
    release = "Draft the embargoed release below as 3 paragraphs.\n\n> We raised 10m.\n\nOutput: plain text.\n"
    assert rules(release)["missing-escalation"].quote == "embargoed"
    faq = "Look over the answers below and fix whatever's wrong.\n\n> A: We ship in 2 days.\n\nOutput: the answers."
    assert rules(faq)["vague-goal"].quote == "whatever's wrong"


def test_give_it_is_an_ask_and_an_opinion_or_some_items_name_no_contract() -> None:
    blurbs = (
        '\n\n> HERO: "Plan meals in minutes, every single week."\n\nsend back the hero, plain text, at most 10 words.\n'
    )
    text = "here's our hero line. give it whatever it needs to sound bolder." + blurbs
    assert specs.parse(text).sections["goal"].line == 1
    assert rules(text)["vague-goal"].quote == "whatever it needs to sound bolder"
    issues = (
        "Here are the 3 bug reports below.\n\n> #1 crash on save\n\nRead them and tell me your thoughts on each one.\n"
    )
    assert rules(issues)["vague-output"].quote == "tell me your thoughts on each one"
    assert "vague-output" not in rules(issues + "Output: one line per report: keep or close.\n")
    questions = "Write quiz questions on the passage below.\n\n> The sky is blue.\n\nOutput: some short questions.\n"
    assert rules(questions)["vague-output"].quote == "some short questions"
    assert "vague-output" not in rules(questions.replace("some short questions", "some 5 short questions"))


def test_what_i_want_labels_the_ask_and_the_same_names_as_an_absent_artifact_is_a_reference() -> None:
    text = "Notes on our brand below.\n\n> We sell tea.\n\nWhat we want: sort out our tagline so we stand out more.\nOutput: 3 lines.\n"
    assert rules(text)["vague-goal"].quote == "sort out"
    tags = (
        "Tag each quote below with one theme. Use the same theme names as the spring workshop summary.\n\n"
        '1. "Too slow to load on my phone"\n2. "Checkout took ages"\n\nReturn: one theme per line.\n'
    )
    assert rules(tags)["hidden-context"].quote == "the same theme names as the spring workshop summary"
    assert "hidden-context" not in rules(tags.replace("the spring workshop summary", "the list below: speed, trust"))


def test_a_sentence_inside_quoted_material_is_no_ask_and_pasted_from_hands_it_over() -> None:
    text = (
        "This is our welcome note (pasted from Confluence):\n\n"
        '"Hello! Read the style guide before your first commit. Ask in #help if stuck. Enjoy!"\n\n'
        "Give it some polish.\nReturn: markdown, max 200 words.\n"
    )
    assert specs.parse(text).sections["goal"].line == 5
    found = rules(text)
    assert "vague-goal" in found
    assert "input-not-given" not in found


def test_what_you_think_is_an_opinion_and_marking_what_needs_a_decision_is_a_note() -> None:
    crash = "Crash below.\n\n```\nnil unwrap at Store.swift:88\n```\n\nPlease look at it and tell me what you think is going on.\n"
    assert rules(crash)["vague-output"].quote == "tell me what you think is going on"
    notes = "Turn the PR list below into user-facing release notes.\n\n- #1 fix sync\n\nReturn: markdown, at most 100 words."
    assert "missing-escalation" in rules(notes)
    assert "missing-escalation" not in rules(notes + " Mark anything that needs a design decision with [?].")


def test_the_same_voice_as_a_numbered_release_and_what_is_pulled_out_of_a_thing_are_references() -> None:
    text = "Write the notes for 3.1 in the same tone as the 3.0 notes.\nOutput: markdown, at most 100 words.\n"
    assert rules(text)["hidden-context"].quote == "the same tone as the 3.0 notes"
    pulled = "Pull the decisions out of the transcript of the board meeting.\nOutput: one decision per line.\n"
    assert rules(pulled)["input-not-given"].quote == "the transcript"


def test_escalation_waived_in_the_prose_is_no_note_and_whats_in_a_thing_is_its_contents() -> None:
    batch = "Turn the invoices below into tonight's payment file for the bank.\n\n| a | 10.00 |\n|---|---|\n\nReturn: one CSV block.\n"
    assert rules(batch)["missing-escalation"].message.endswith("but there are no escalation notes")
    for waiver in ("I'm away, so escalation: n/a.", "Nothing else to flag here.", "No sign-off from anyone needed."):
        found = rules(batch + waiver + "\n")["missing-escalation"]
        assert "is not an escalation note" in found.message, waiver
    score = "Score each applicant from the shortlist export, using only what's in their profile.\nReturn: a table."
    assert rules(score)["input-not-given"].quote == "the shortlist export"


def test_what_is_sent_back_with_its_object_between_is_the_answer_sentence() -> None:
    strings = 'Translate the strings below into Dutch.\n\nkey = "Place your order now please"\n\n'
    assert rules(strings + "Send the strings back in some form I can use.\n")["vague-output"].quote == "in some form"
    prices = "Compare list prices of the three vendors below.\n\n- A\n- B\n- C\n\n"
    assert rules(prices + "Put together whatever seems useful and send it over.\n")["vague-output"].quote == (
        "whatever seems useful and"
    )
    assert "vague-output" not in rules(prices + "Put together a 3-row table and send it over.\n")
    macros = (
        "Below are our two macros.\n\n> Hi, refunded.\n\nTake a look and improve them in whatever ways you feel matter."
    )
    assert "whatever ways you feel" in rules(macros + "\nReturn: two blocks.")["vague-goal"].message


def test_a_count_a_range_and_a_quoted_column_name_are_no_rows() -> None:
    line = 'Group the "what should we change first?" column from the Q2 feedback export into themes. {}\n'
    tail = "Output: JSON with keys theme, count.\n"
    described = rules(line.format("We have ~300 answers; the ratings are 1–5.") + tail)
    assert described["input-not-given"].quote.startswith("the Q2 feedback")
    rows = line.format("Rows: 2026-01 4.5, 2026-02 3.9, 2026-03 4.1.")
    assert "input-not-given" not in rules(rows + tail)


def test_a_bare_section_name_over_its_text_is_a_heading() -> None:
    plain = (
        "Rename the `retry_limit` setting to `max_retries` in `app/config.py`.\n\nOutput\nThe diff, in one code "
        "block, nothing else.\n"
    )
    assert specs.parse(plain).get("output").startswith("The diff")
    assert "vague-output" not in rules(plain)


def test_an_answer_label_after_a_sentence_on_its_line_is_the_output() -> None:
    text = (
        "Goal: add a test for `parse_amount` rejecting negative input in `tests/test_amount.py`.\n\n"
        "Done when the new test passes. Response: the pytest summary line only.\n"
    )
    assert "pytest summary" in specs.parse(text).get("output")
    assert not any(f.rule == "missing-section" and "Output" in f.message for f in specs.lint(text))


def test_a_sheet_laid_out_by_column_is_handed_over() -> None:
    text = (
        "Google Sheets, tab `Budget`: column A = cost centre, B = month, C = spend (number).\n\n"
        "I need one formula for E1 summing C where B is March.\n\nOutput: the formula alone.\n"
    )
    assert "input-not-given" not in rules(text)
    unlaid = text.replace(": column A = cost centre, B = month, C = spend (number)", ", holds our spend")
    assert rules(unlaid)["input-not-given"].quote == "Google Sheets"


def test_a_public_convention_and_a_condition_on_the_world_refer_to_nothing_hidden() -> None:
    tail = "\n\nOutput: a two-column table, nothing else.\n"
    public = (
        "Label each paint tin below by hazard class, following the usual supplier safety sheet.\n\n- gloss\n- primer"
    )
    assert "hidden-context" not in rules(public + tail)
    assert "hidden-context" in rules(public.replace("supplier safety sheet", "labels") + tail)
    lately = "Find the FCA's page on cooling-off periods and say whether its rules were recently revised." + tail
    assert "hidden-context" not in rules(lately)
    assert "hidden-context" in rules("Redo the poster I showed you recently for the fair." + tail)


def test_what_readers_did_with_an_earlier_mail_says_who_they_are() -> None:
    text = (
        "Our spring appeal closes on 30 April. We write to members who clicked our previous newsletter but never "
        "donated. Please suggest three opening lines, each under 20 words. Return them as a numbered list only.\n"
    )
    found = rules(text)
    assert "hidden-context" not in found
    assert found.get("missing-section") is None or found["missing-section"].severity == specs.Severity.WARNING
    assert "hidden-context" in rules(text.replace("members who clicked our", "members, reusing the ideas of our"))


def test_the_ask_is_read_from_the_prose_around_a_list_of_steps() -> None:
    steps = (
        "How we onboard a contractor today:\n\n1. Collect the signed NDA by email\n2. Create their laptop account "
        "by hand\n3. Add them to the payroll sheet\n\n{}\n\nOutput: a numbered list of at most 6 steps.\n"
    )
    found = rules(steps.format("Handle this onboarding flow."))
    assert specs.parse(steps.format("Handle this onboarding flow.")).get("goal").startswith("Handle")
    assert found["vague-goal"].quote.startswith("Handle")
    assert "vague-goal" not in rules(steps.format("Merge steps 2 and 3 into one so that payroll is set up first."))


def test_what_someone_laid_out_and_an_earlier_rewrite_are_hidden() -> None:
    tail = "\n\nOutput: the diff only.\n"
    laid = "Change the retry policy in `jobs/retry.py` to follow what Tomasz laid out for the team." + tail
    assert rules(laid)["hidden-context"].quote.startswith("what Tomasz laid out")
    redone = "Name the new helpers in `jobs/retry.py` like the previous rewrite of the scheduler did." + tail
    assert "rewrite" in rules(redone)["hidden-context"].quote


def test_tearing_down_infrastructure_needs_an_escalation_note() -> None:
    work = (
        "Goal: retire the old QA stack: run `pulumi destroy --yes` in `infra/qa-old`, then remove the folder.\n"
        "Inputs: `infra/qa-old/Pulumi.yaml`.\nNon-goals: none.\nOutput: the summary line and the list of removed paths.\n"
    )
    assert "tearing down infrastructure" in rules(work)["missing-escalation"].message
    noted = work + "Escalation: stop and ask before the destroy if any resource is still referenced elsewhere.\n"
    assert "missing-escalation" not in rules(noted)


def test_a_sentence_on_where_the_answer_goes_is_part_of_the_work() -> None:
    text = (
        "Our clinic moves to 14 Dock Road on 2 March.\n\nPlease write a 60-word notice about the move, friendly and "
        "plain.\n\nThe notice will be posted on our public page the moment it arrives, with no edits.\n\n"
        "Output: the notice text only.\nEscalation: n/a.\n"
    )
    assert "missing-escalation" in rules(text)
    told = text.replace("The notice will be posted", "Last year a notice was posted")
    assert "missing-escalation" not in rules(told)


def test_a_web_run_looks_a_cited_paper_up() -> None:
    """A citation is a document a stateless model cannot open, and one a web run is sent to search for."""
    text = (
        "Goal: Find two reviews of spaced repetition for adult learners, such as Cepeda et al. 2006, and check each "
        "link resolves.\nNon-goals: no study design advice.\nOutput: a bullet per source: citation, URL, finding.\n"
    )
    assert "input-not-given" in rules(text)
    assert "input-not-given" not in rules(text, target="web")


def test_a_web_run_reads_a_public_page_but_not_our_own() -> None:
    text = (
        "Look up the newest release of `pallets/flask` and `encode/httpx` on GitHub.\n\n"
        "Open each project's releases page to check the date. Reply with:\n\n```\n<repo>: <tag> (<date>) <url>\n```\n"
    )
    assert "input-not-given" not in rules(text, target="web")
    assert "input-not-given" in rules(
        text.replace("each project's releases page", "our team's wiki page"), target="web"
    )


def test_what_their_services_run_is_handed_over() -> None:
    """'The clinic's services run Django 4.2' gives the one fact the work needs about them: the version."""
    text = (
        "Goal: The clinic's booking services run Django 4.2. Find when security support ends for that line and the newest one.\n"
        "Non-goals: upgrade steps.\nOutput: a table Version | End of security support | Source URL.\n"
    )
    assert "input-not-given" not in rules(text, target="web")
    assert "input-not-given" in rules(
        text.replace("run Django 4.2", "are slow").replace("that line", "Django"), target="web"
    )


def test_a_question_about_whom_to_ask_is_data_to_sort() -> None:
    text = (
        "Sort each staff message below into `it`, `facilities` or `other`.\n\nMessages:\n"
        "1. My laptop will not boot.\n2. The lift on floor 3 is stuck.\n3. Who should we ask about the fire drill?\n\n"
        "Output: three lines, `<number> <label>`, nothing else.\n"
    )
    assert "input-not-given" not in rules(text)
    assert "input-not-given" in rules(text.replace("Who should we ask about", "Please ask Lena about"))


def test_columns_listed_hand_over_what_a_mapping_of_columns_needs() -> None:
    text = (
        "Goal: match our legacy CRM export fields to the billing system's names.\n\n"
        "Legacy fields: `cust_id, nm, mail_addr, tel, created`\n"
        "Billing names: `customer_id, name, email, phone, signup_date, tier`\n\n"
        "Output: a Markdown table `legacy | billing`, one row per legacy field.\n"
    )
    assert "input-not-given" not in rules(text)
    assert "input-not-given" in rules(text.replace("Legacy fields: `cust_id, nm, mail_addr, tel, created`\n", ""))


def test_a_letter_for_approval_by_someone_is_held_back() -> None:
    text = (
        "Goal: Write a contract renewal letter to Brightline Ltd for approval by our head of legal.\n"
        "Inputs: term 24 months from 1 March 2027; fee GBP 18,000 a year; notice period 90 days.\n"
        "Non-goals: no discount terms.\nOutput: the letter as plain text, under 250 words.\n"
    )
    assert "missing-escalation" not in rules(text)
    assert "missing-escalation" in rules(text.replace(" for approval by our head of legal", ""))
    unsent = text.replace("for approval by our head of legal", "(a draft, not to be posted by you)")
    assert "missing-escalation" not in rules(unsent)


def test_the_etc_of_a_path_is_a_directory_not_open_scope() -> None:
    text = (
        "Goal: Write one Ansible task that installs /etc/sysctl.d/90-net.conf with mode 0644 and content "
        "`net.core.somaxconn = 4096`.\nNon-goals: no handlers.\nOutput: the task as one YAML code block.\n"
    )
    assert "vague-goal" not in rules(text)
    assert "vague-goal" in rules(text.replace("/etc/sysctl.d/90-net.conf", "the sysctl files etc."))


def test_a_capitalised_name_in_a_list_of_changes_is_part_of_the_story() -> None:
    text = (
        "Goal: turn the changes below into player-facing release notes for Emberfall 2.1.\n"
        "Non-goals: no roadmap hints.\nInputs:\n- Torches now burn for 90 seconds instead of 60.\n"
        "- Fixed music cutting out in the Drowned Library.\n\n"
        "Output: Markdown, one bullet per change, under 80 words.\n"
    )
    assert "input-not-given" not in rules(text)
    assert "input-not-given" in rules(text.replace("the Drowned Library", "the drowned library"))


def test_an_ask_that_counts_its_bullets_states_the_output() -> None:
    text = (
        "Please condense the safety notice below for site supervisors in exactly three bullet points, plain text, "
        "nothing else. Do not add rules that are not in it.\n\n"
        'Notice: "Hard hats are required past the blue line. Visitors sign in at the gate office. '
        'Forklifts have right of way in aisles 4 to 9."\n'
    )
    assert "vague-output" not in rules(text)
    assert "vague-output" in rules(text.replace(" in exactly three bullet points, plain text, nothing else", ""))


def test_a_hard_wrapped_sentence_is_read_whole_and_found_on_its_own_line() -> None:
    """An editor that wraps at 100 columns cut 'sent to' from 'every billing contact': the act and its audience
    are one sentence again, and the finding names the line its phrase starts on."""
    text = (
        "Task type: general\n\n"
        "We are raising list prices on all annual plans at each customer's next renewal. Write the announcement\n"
        "email. Whatever you return gets pasted into the mail tool and sent to\n"
        "every billing contact on the active customer list this afternoon.\n\n"
        "Output: subject line plus body, plain text, 150 to 220 words.\n"
    )
    found = rules(text)["missing-escalation"]
    assert found.quote.startswith("sent to every billing contact")
    assert found.line == 4
    unwrapped = text.replace("announcement\nemail", "announcement email").replace("sent to\nevery", "sent to every")
    assert rules(unwrapped)["missing-escalation"].line == 3
    listed = text.replace("sent to\nevery", "sent to\n- every")
    assert "missing-escalation" not in rules(listed)


def test_what_happens_to_the_answer_makes_it_risky_wherever_it_is_said() -> None:
    base = "Write the SQL that credits the customers back.\n\nOutput: one SQL script in a ```sql block.\n\n"
    for fate, what in (
        ("We'll run it against the production billing database tonight.", "a production change"),
        ("Then merge to main; the billing job picks up main on its next run.", "a release others receive"),
        ("It will be sent from the director's account as soon as you return it.", "text that goes out as written"),
        ("We will enter exactly what you return into both consoles.", "text that goes out as written"),
    ):
        text = "Our meters were misread in April.\n\n" + base.replace("\n\nOutput", " " + fate + "\n\nOutput")
        found = rules(text + "Escalation: n/a\n")["missing-escalation"]
        assert what in found.message, (fate, found.message)
        held = "Escalation: nothing is executed until our billing lead reviews it.\n"
        assert "missing-escalation" not in rules(text + held), fate


def test_labels_and_headings_written_as_people_write_them() -> None:
    asked = "**Context.** Our RFI turnaround is slow.\n\n**Ask.** Help us get on top of RFIs.\n\nOutput: 200 words.\n"
    assert rules(asked)["vague-goal"].quote == "Help us get on top of RFIs"
    assert specs.parse("## Input (12 responses, `row|why`)\n```\n1|x\n```\n").sections["inputs"].line == 1
    assert specs.parse("## Input format\nFields are split by `|`.\n").sections["inputs"].line == 1
    changelog = "Goal: make the 3.1.0 changelog below better.\n\nInput:\n```\n- deps\n```\n\nOutput: Markdown.\n"
    assert rules(changelog)["vague-goal"].quote.startswith("make the 3.1.0 changelog")


def test_material_pasted_under_any_heading_or_labelled_in_the_ask_is_given() -> None:
    ruled = (
        "Classify each bank transaction below into one ledger code: 4000 Sales, 9999 Suspense.\n\n"
        "Rules: negative amounts are deposits.\n\n```\nid,amount\n1,588.10\n```\n\nOutput: CSV `id,code`, one row each.\n"
    )
    assert refused(ruled) == set()
    assert "no Inputs section" in refused(ruled.replace("```\nid,amount\n1,588.10\n```\n\n", ""))
    letter = (
        "Hi, can you draft a letter to our clients explaining the notice they received? Facts: notice dated March 3,"
        " tax year 2023, $2,640 proposed. Body only, 150-200 words. This is a draft; Ruth reviews and signs before"
        " it goes out.\n"
    )
    assert refused(letter) == set()


def refused(text: str, **kwargs: object) -> set[str]:
    """The messages of the spec's errors: what refuses it."""
    return {f.message for f in specs.lint(text, **kwargs) if f.severity == specs.Severity.ERROR}


def test_a_list_items_wrapped_tail_is_part_of_the_item() -> None:
    facts = (
        "Goal: draft the maintenance email.\n\nFacts:\n"
        "- A reservation blocks new jobs that would not finish before 07:00 Tuesday;\n"
        "  those stay queued and start after maintenance. Running jobs are not killed.\n"
        "- Questions: rc-help@univ.edu.\n\nOutput: plain text, 120-180 words.\n"
    )
    assert "input-not-given" not in rules(facts)
    joined = checklist_unwrap(facts)
    assert "Tuesday; those stay queued" in joined.text and joined.line_of(4, "those stay queued") == 5


def test_acting_in_someones_name_needs_an_escalation_note() -> None:
    text = (
        "Find the grant round's page, then complete and submit the pre-registration form on our behalf.\n\n"
        "Output: the confirmation number.\n\nEscalation: none needed.\n"
    )
    found = rules(text, target=Target.WEB)["missing-escalation"]
    assert "acting in someone's name" in found.message and found.message.count("on our behalf") == 1


def test_review_is_a_task_type_in_ordinary_words_and_an_agent_may_name_its_repo(tmp_path: Path) -> None:
    review = rules(GOOD_SPEC.replace("Task type: general", "Task type: review"), known_task_types=set(tiers.TASK_TYPES))
    assert review["task-type-alias"].severity == specs.Severity.WARNING
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("x = 1\n")
    agent = "Read-only review in the ops-scripts repo: list each function in src/app.py without a test.\n\n"
    agent += "Output: a Markdown table, max 12 rows.\n"
    assert "input-not-given" not in rules(agent, cwd=tmp_path, target=Target.AGENT)


def test_a_brief_written_as_keys_and_values_keeps_each_key_its_own() -> None:
    brief = (
        "ticket: FW-541, cache the colcon build in CI\n"
        "change: add an actions/cache step before the build that caches build/ and install/\n"
        "check: the file parses as YAML (python -c 'import yaml' on .github/workflows/ci.yml)\n"
        "deliver: diff only, working tree, no commit or push\n"
    )
    parsed = specs.parse(checklist_unwrap(brief).text)
    assert parsed.sections["output"].body.strip() == "diff only, working tree, no commit or push"
    assert parsed.sections["verification"].line == 3
    assert specs.parse("**Do:**\n- Give the logo alt text.\n").sections["goal"].line == 1


def test_an_ask_after_an_opening_phrase_and_a_meeting_it_prepares() -> None:
    found = specs.parse("In `k8s/alerts/rules.yaml`, fix every rule that lacks a summary.\n").sections["goal"]
    assert found.inferred and found.body.startswith("In `k8s/alerts/rules.yaml`, fix")
    table = (
        "- Goal: turn these review results into a one-page status table for\n"
        "  Friday's OAC meeting (owner's rep, non-technical).\n"
        "- Data:\n  - 08 44 13-01 Curtain wall shop drawings, returned 2026-11-07.\n"
        "  - 09 51 13-01 Ceiling panels, approved as noted.\n- Output: Markdown table, one row each.\n"
    )
    assert "hidden-context" not in rules(table)


def test_quoted_notes_after_their_label_are_given_and_a_public_records_request_is_not_the_public() -> None:
    notes = (
        "Please turn the meeting notes below into an action-item list. Each item must come from the notes. Output a\n"
        "Markdown table with columns #, Action, Owner. Notes (coordination, 2026-11-24; attendees JO =\n"
        "J. Okafor, AL = A. Liu):\n"
        '"roof drains - P-201 says 4in, arch dwgs 3in, AL to confirm by 11/28, RFI-043\n'
        'stays open until then. next mtg 12/1."\n'
    )
    assert "hidden-context" not in rules(notes)
    request = "Find the statutory deadline for an agency's response to a public-records request in Texas.\n\n"
    request += "Output: a Markdown table `State | Deadline | Source URL`, 1 row.\n"
    assert "missing-escalation" not in rules(request, target=Target.WEB)


def test_what_a_writer_adds_after_a_task_type_and_a_yaml_literal_block_of_inputs() -> None:
    assert specs.parse("Task type: coding. Python 3.11, stdlib only.\n").task_type == "coding"
    assert specs.parse("Task type: general (a summary)\n").task_type == "general"
    brief = (
        "task: classify website feedback comments\n"
        "input: |\n  c101 | Search for dune shows the movie first\n  c102 | Can't log in since the new site\n"
        "output: |\n  A CSV with header comment_id,bucket, one row per comment in input order. Nothing else.\n"
    )
    assert "input-not-given" not in rules(brief)


def test_a_word_in_backticks_is_mentioned_and_the_old_version_is_the_code_given(tmp_path: Path) -> None:
    goal = "Goal: write `strip(line)`: remove a trailing period unless the last word is `ed.`, `Jr.` or `etc.`.\n"
    assert "vague-goal" not in rules(goal + "\nOutput: one Python code block.\n")
    assert rules(goal.replace("`etc.`", "so on, etc.") + "\nOutput: one Python code block.\n")["vague-goal"]
    rewrite = "Rewrite this function so it does not grow a list in a loop.\n\n```r\nf <- function(x) x\n```\n\n"
    assert "hidden-context" not in rules(rewrite + "Output: the new function, checked against the old version.\n")
    (tmp_path / "loc").mkdir()
    (tmp_path / "loc" / "check.py").write_text("x = 1\n")
    agent = "Regex fix in loc/check.py.\n\nChange the pattern. Nothing else in that file.\n\nOutput: the diff.\n"
    assert "input-not-given" not in rules(agent, cwd=tmp_path, target=Target.AGENT)


def test_the_live_web_and_a_why_after_a_prohibition_are_no_production_change() -> None:
    base = "Goal: add three tests for the matcher in legal/intake/check.py.\n\nOutput: the diff.\n\n"
    why = base.replace(
        "\n\nOutput", "\n\nDon't modify legal/intake/parties.csv — it is the live conflicts list.\n\nOutput"
    )
    assert "missing-escalation" not in rules(why)
    assert "missing-escalation" in rules(base.replace("add three tests", "update the live conflicts list"))
    web = "Find, on the live web, Crossref's page on its deposit schema.\n\nOutput: a Markdown table, one row.\n"
    assert "missing-escalation" not in rules(web, target=Target.WEB)


def test_a_command_with_arguments_names_its_script_and_a_review_can_say_what_for(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "bump.sh").write_text("#!/bin/sh\n")
    text = "Goal: run `scripts/bump.sh 7.15.0` and report what it changed.\n\nOutput: the diff.\n"
    assert "missing-input" not in rules(text, cwd=tmp_path, target=Target.AGENT)
    assert "missing-input" in rules(text.replace("bump.sh", "gone.sh"), cwd=tmp_path, target=Target.AGENT)
    for goal in ("Review this Swift class for correctness.", "Harden the stamp script against bad page counts."):
        assert "vague-goal" not in rules(f"Goal: {goal}\n\nOutput: a numbered list, at most 8 items.\n"), goal
    assert "vague-goal" in rules("Goal: Review this Swift class.\n\nOutput: a numbered list, at most 8 items.\n")


def test_fields_code_calls_and_unchanged_behaviour_are_no_hidden_references() -> None:
    listed = "1. Faster start-up. 2. A new audit browser. 3. Fewer crashes."

    def said(sentence: str) -> dict[str, specs.Finding]:
        return rules(GOOD_SPEC.replace(listed, listed + "\n" + sentence))

    assert "hidden-context" not in said("End each bullet with the PR number in parentheses.")
    assert "hidden-context" in said("End each bullet as the PR does.")
    assert "hidden-context" not in said("train.py hardcodes `num_workers=4` in the DataLoader call.")
    assert "hidden-context" in said("Use the numbers from the budget call.")
    assert "hidden-context" not in said("Without --resume the tool must behave exactly as before.")
    assert "hidden-context" in said("Format them exactly as before.")
    assert "hidden-context" not in said("A point due yesterday is listed first.")
    assert "hidden-context" in said("Add the point they raised yesterday.")
    assert "hidden-context" in said("Use the phrasing the rep read out over the phone last week.")
    assert "hidden-context" in said("Rank the ones Marcus reckons matter most.")


def test_a_kind_of_document_in_an_input_path_names_that_input() -> None:
    text = (
        "Improve the bug report form so triage stops bouncing issues back for basic details.\n"
        "Repo: cellarctl. Files: .github/ISSUE_TEMPLATE/bug_report.md (edit).\n"
        "- Add sections for the version and the OS.\n"
        "- Use the same bold-heading style as the current template; no YAML issue forms.\n"
        "Deliver: the full new bug_report.md in one code block.\n"
    )
    assert "hidden-context" not in rules(text)
    assert "hidden-context" in rules(text.replace(".github/ISSUE_TEMPLATE/bug_report.md", "docs/triage.md"))


def test_what_an_add_makes_is_no_missing_input(tmp_path: Path) -> None:
    (tmp_path / "etl").mkdir()
    (tmp_path / "etl" / "sku.py").write_text("def sku(): ...\n")
    made = "Add `tests/test_sku.py` that loads etl/sku.py and checks `sku()`. Reply with the diff.\n"
    assert "missing-input" not in rules(made, cwd=tmp_path)
    assert "missing-input" in rules(made.replace("etl/sku.py", "etl/skus.py"), cwd=tmp_path)
    assert "missing-input" not in rules(
        "Add tests in tests/test_sku.py for etl/sku.py. Reply with the diff.\n", cwd=tmp_path
    )
    read = specs.parse("# Tests\n\nTask type: general\n\nAdd tests for `etl/sku.py`.\n")
    assert [path for _, path in specs.input_paths(read)] == ["etl/sku.py"]


def test_a_titled_task_a_question_and_a_read_only_note_are_read_as_the_ask() -> None:
    titled = specs.parse("# Task: parse_vintage helper (Rust)\n\nWrite this function for cellarctl: `parse(s)`.\n")
    assert titled.get("goal").startswith("Write this function")
    assert specs.parse("## Task: write the helper\n\nIt parses years.\n").get("goal") == "write the helper"
    question = specs.parse("Read-only review. Question: can `days` come out negative, and why?\nLook at `a.sql`.\n")
    assert "Question: can" in question.get("goal")
    assert not spec_sections.asks_at("Read-only.", 0)


def test_readiness_is_no_production_change_and_pasted_as_is_goes_out() -> None:
    listed = "1. Faster start-up. 2. A new audit browser. 3. Fewer crashes."
    review = GOOD_SPEC.replace(listed, listed + "\nReview them for production-readiness problems.")
    assert "missing-escalation" not in rules(review)
    assert "missing-escalation" in rules(
        review.replace("for production-readiness problems", "and deploy to production")
    )
    pasted = GOOD_SPEC.replace(listed, listed + "\nYour text will be pasted as-is into the regulator's form.")
    assert "missing-escalation" in rules(pasted)
