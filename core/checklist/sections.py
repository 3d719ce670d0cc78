"""Missing sections: every dispatch needs a goal, non-goals, inputs, an output contract and escalation notes.

Seed A's checklist asks for all five: without non-goals the contractor guesses the scope, without inputs it
guesses the material, without escalation notes it makes the calls that were the delegator's to make. A section
holding only the template's <placeholders> is empty.
"""

from __future__ import annotations

from core import pattern_cache
from core.spec import Finding, Severity, Spec

REQUIRED = ("goal", "non-goals", "inputs", "output", "escalation")
RECOMMENDED = ("verification",)

HELP = {
    "goal": "what to produce, about what, and what it is for, in a sentence or two",
    "non-goals": "what the model must not change or attempt ('None.' if nothing is off limits)",
    "inputs": "the material itself: pasted text, a code block, a data list, or paths under --cwd ('None: "
    "everything is in this spec.' if so)",
    "output": "the exact output contract: shape, size and allowed values",
    "verification": "how the result will be checked",
    "escalation": "which decisions must come back to you instead of being made ('None.' only for internal, "
    "reversible work)",
}

_PLACEHOLDER = pattern_cache.compile(r"^\s*<[^<>]*>\s*$")


def filled(body: str) -> bool:
    """A section counts as written once it holds something other than the template's <placeholders>."""
    return any(line.strip() and not _PLACEHOLDER.match(line) for line in body.splitlines())


def check(spec: Spec) -> list[Finding]:
    findings: list[Finding] = []
    for name in REQUIRED + RECOMMENDED:
        section = spec.sections.get(name)
        severity = Severity.ERROR if name in REQUIRED else Severity.WARNING
        title = name.capitalize()
        if section is None:
            findings.append(
                Finding(
                    "missing-section",
                    severity,
                    1,
                    f"no {title} section",
                    f"add a '## {title}' heading or a '{title}: ...' line ({HELP[name]})",
                )
            )
        elif not filled(section.body):
            findings.append(
                Finding("empty-section", severity, section.line, f"the {title} section is empty", f"write {HELP[name]}")
            )
    return findings
