"""Missing sections: every dispatch needs a goal, non-goals, inputs and an output contract; escalation notes and
verification are asked for, as warnings.

Seed A's checklist asks for all of them: without non-goals the contractor guesses the scope, without inputs it
guesses the material, without escalation notes it makes the calls that were the delegator's to make. Escalation
notes exist for taste, policy, client-facing and irreversible decisions; work with none of those (an internal
regex, a summary for the delegator) has nothing to hand back, so leaving them out is a warning here, and the
risk rule (core/checklist/risk.py) makes it an error where the work reaches real people or cannot be undone. A
section holding only the template's <placeholders> is empty.

Exceptions, each a warning: a one-line answer whose checks are stated (a regex, a shell one-liner) may leave out
Non-goals and Inputs; a spec whose goal, material and output are all stated may leave out Non-goals; a web run
whose goal and output are stated may leave out Inputs (its material is the web it searches). Non-goals are read
from sentences that bound the work ("Don't ...", "Only ..."), and writers bound work in words no list foresees: a
missing Non-goals section was the commonest refusal of a good spec on the blind sets' first contact (23 of 162
good specs), while the content rules (reference, inputs, output, goal, risk) refuse what a contractor could not
act on.
"""

from __future__ import annotations

import re

from core import pattern_cache
from core.checklist import output_shape, prose
from core.checklist.target import Target
from core.spec import Finding, Section, Severity, Spec, paths_in

REQUIRED = ("goal", "non-goals", "inputs", "output")
RECOMMENDED = ("verification", "escalation")
"""Asked for, as warnings: an Escalation section that risky work lacks is the risk rule's error."""

HELP = {
    "goal": "what to produce, about what, and what it is for, in a sentence or two",
    "non-goals": "what the model must not change or attempt ('None.' if nothing is off limits)",
    "inputs": "the material itself: pasted text, a code block, a data list, or paths under --cwd ('None: "
    "everything is in this spec.' if so)",
    "output": "the exact output contract: shape, size and allowed values",
    "verification": "how the result will be checked",
    "escalation": "if any decision should come back to you instead of being made (taste, policy, client-facing, "
    "irreversible), say which",
}

_PLACEHOLDER = pattern_cache.compile(r"^\s*<[^<>]*>\s*$")
SCOPED_BY_ONE_LINE = ("non-goals", "inputs")
"""Sections a one-liner with stated checks may leave out: an answer of one line (a regex, a shell command) has no
room to stray into, and the checks say what it must do, so the task is whole without them."""


def filled(body: str) -> bool:
    """A section counts as written once it holds something other than the template's <placeholders>."""
    return any(line.strip() and not _PLACEHOLDER.match(line) for line in body.splitlines())


def check(spec: Spec, target: Target = Target.STATELESS) -> list[Finding]:
    findings: list[Finding] = []
    one_liner = _one_liner(spec)
    stated = _stated(spec)
    searched = (
        target is Target.WEB
        and filled(spec.get("goal"))
        and (filled(spec.get("output")) or output_shape.shape_stated(spec) is not None)
    )
    for name in REQUIRED + RECOMMENDED:
        section = spec.sections.get(name)
        optional = (
            name in RECOMMENDED
            or (one_liner and name in SCOPED_BY_ONE_LINE)
            or (stated and name == "non-goals")
            or (searched and name == "inputs")
        )
        title = name.capitalize()
        if name == "output" and section is None and (_prose(spec) or output_shape.shape_stated(spec)):
            continue  # the output rule quotes the ask that says nothing of what comes back, or the shape stated
        if name == "inputs" and (section is None or section.inferred) and _material_given(spec):
            continue  # the material is listed or pasted under the ask itself, or under a heading of its own
        if name == "inputs" and not optional and (section is None or section.inferred) and _self_contained(spec):
            optional = True
        severity = Severity.WARNING if optional else Severity.ERROR
        if section is None or (name == "inputs" and section.inferred and not _holds_material(spec, section)):
            why = (
                ""
                if not (name in REQUIRED and optional)
                else " (optional for a one-line answer whose checks are stated)"
                if one_liner and name in SCOPED_BY_ONE_LINE
                else " (a warning: a web run's material is the web it searches)"
                if searched and name == "inputs"
                else " (a warning: the goal names nothing to work on but what it asks for)"
                if name == "inputs"
                else " (a warning: the goal, its material and the output are stated)"
            )
            findings.append(
                Finding(
                    "missing-section",
                    severity,
                    1,
                    f"no {title} section{why}",
                    f"add a '## {title}' heading or a '{title}: ...' line ({HELP[name]})",
                )
            )
        elif not filled(section.body):
            findings.append(
                Finding("empty-section", severity, section.line, f"the {title} section is empty", f"write {HELP[name]}")
            )
    return findings


def _stated(spec: Spec) -> bool:
    """The spec states its goal, the material it works on and what comes back, under headings or in prose: the
    contractor can act on it, so a missing Non-goals section is a warning."""
    goal, inputs, output = (spec.sections.get(name) for name in ("goal", "inputs", "output"))
    given = _goal_holds_material(spec) or (
        inputs is not None and filled(inputs.body) and (not inputs.inferred or _holds_material(spec, inputs))
    )
    shaped = filled(output.body) if output is not None else output_shape.shape_stated(spec) is not None
    return goal is not None and filled(goal.body) and given and shaped


def _self_contained(spec: Spec) -> bool:
    """The ask names no definite thing to work on and points at none ('Give me five title ideas for a talk about
    ...'): the goal is its whole input. One that names a thing ('the onboarding doc', 'our incident report') or
    points at one ('the tickets below') and gives none of it still needs its Inputs."""
    from core.checklist import sufficiency

    goal = prose.text_of(spec.sections.get("goal"))
    return bool(goal.strip()) and not (sufficiency.names_material(goal) or _POINTS_AT_MATERIAL.search(goal))


_POINTS_AT_MATERIAL = pattern_cache.compile(
    r"\b(?:below|above|following|attached|these|those|all (?:the|of the|our))\b|\bthis (?!is\b)\w+",
    re.IGNORECASE,
)
"""Words that point at material to work on ('the tickets below', 'these rows', 'this macro'): a goal with one
expects its Inputs."""


def _goal_holds_material(spec: Spec) -> bool:
    """The goal section hands its material over itself: a code block, a quote, a table or a list of two or more
    items under the ask ('## Task: Convert each of the timestamps below' with the timestamps listed)."""
    lines = prose.lines(spec.sections.get("goal"))
    return any(line.data or prose.DATA in line.text for line in lines) or prose.is_list(lines)


def _material_given(spec: Spec) -> bool:
    """The goal hands its material over, or a section that is not the answer's holds a code block, a quote, a
    table or quoted text ('Rules:' over the transactions to classify, 'Non-goals: ...' over the emails to triage,
    each quoted): pasted material, whatever the heading above it says."""
    return _goal_holds_material(spec) or any(
        (line.data and line.raw.strip().strip("`~")) or prose.DATA in line.text
        for name, section in spec.sections.items()
        if name not in _THE_ANSWER
        for line in prose.lines(section)
    )


_THE_ANSWER = ("output", "verification", "escalation")
"""Sections whose blocks are the answer's shape or its checks (an example reply, a command to run), not material."""


def _prose(spec: Spec) -> bool:
    goal = spec.sections.get("goal")
    return goal is not None and goal.inferred


def _holds_material(spec: Spec, inputs: Section) -> bool:
    """A spec with no Inputs section still has its material when the prose holds it: text beside the goal (context,
        pasted data, a list), a path, or text the goal itself hands over ('Tag each ticket below' with the tickets quoted
    under it). With only a goal and nothing to work on, the Inputs are missing (a task that
        needs none says 'Inputs: None')."""
    goal = spec.sections.get("goal")
    asked = range(goal.line, goal.body_line + len(goal.body.splitlines())) if goal else range(0)
    ask = {line.number: line.raw.strip() for line in prose.lines(goal)}
    return any(
        line.raw.strip()
        and (
            line.number not in asked
            or paths_in(line.raw)
            or line.data
            or prose.DATA in line.text
            or _before_the_ask(line.raw.strip(), ask.get(line.number, ""))
            or _FACTS_INLINE.search(line.raw)
        )
        for line in prose.lines(inputs)
    )


_FACTS_INLINE = pattern_cache.compile(
    r"\b(?:facts|details|context|background|data|figures|numbers)(?: to (?:use|include))?\s*:\s*\S", re.IGNORECASE
)
"""A label inside the ask's paragraph over what follows it ('... a CP2000 they received? Facts: notice dated March
3, ...'): the material, written on in the same paragraph."""


def _before_the_ask(text: str, ask: str) -> bool:
    """On the ask's own line, whole sentences of context before it ('The fund closes on 4 May. We write to donors
    who gave last year. Please draft ...'): material beside the goal, written on one line."""
    at = text.find(ask[:40]) if ask else -1
    return at > 0 and len(_FULL_STOPS.findall(text[:at])) >= _CONTEXT_SENTENCES


_FULL_STOPS = pattern_cache.compile(r"[.!?](?:\s|$)")
_CONTEXT_SENTENCES = 2
"""Two sentences before the ask are context; one may only lead into it ('Quick one. Can you ...')."""


def _one_liner(spec: Spec) -> bool:
    """The answer is one line and a Verification section says how it is checked: a small complete task (a regex, a
    one-line command), whose scope the answer's size already bounds. One line is what every size the Output gives
    says, of the whole answer: a code block counts when it is all there is ('Exactly one line: the command, in a
    single bash code block. No explanation.'), not with a line beside it ('One code block, then a single line').
    With no size given, the answer's whole form as a one-line template counts too ('a single code block, in the
    form `jq -r '<filter>' jobs.json`. Nothing else.')."""
    from core.contract import derive
    from core.contract.reply import Reply

    verification, output = spec.sections.get("verification"), spec.get("output")
    if verification is None or not filled(verification.body) or not output:
        return False
    checks = derive(output).checkable
    rules = {check.rule for check in checks}
    if "code-block" in rules and ("only" not in rules or _BESIDE.search(output)):
        return False
    fence = ("```\n", "\n```") if "code-block" in rules else ("", "")
    one, two = Reply("x".join(fence)), Reply("x\ny".join(fence))
    lines = [check.test for check in checks if check.rule == "size:line" and check.test is not None]
    if lines:
        whole = all(check.test(one)[0] for check in checks if check.test is not None)
        return whole and not any(test(two)[0] for test in lines)
    sized = any(rule.startswith("size:") for rule in rules)
    return not sized and "only" in rules and bool(_ONE_LINE_FORM.search(output))


_BESIDE = pattern_cache.compile(
    r"\b(?:then|followed by|plus|after (?:it|that|the block)|below (?:it|the block))\b", re.I
)
"""A line after the block ('One code block, then a single line') is a second part of the answer, not the block's."""
_ONE_LINE_FORM = pattern_cache.compile(
    r"^(?:(?!\b(?:each|every|per|lines|rows|items|entries)\b)[^.\n])*\bin the form `[^`\n]*<[^<>`\n]+>[^`\n]*`",
    re.IGNORECASE | re.MULTILINE,
)
"""The answer given whole as a backticked template with a <placeholder>: a template for each of several lines ('one
row per ticket, each in the form `id<TAB>label`') says nothing about the answer's size."""
