"""An independent review of a run's result: the reviewer's brief, its choice of model, and reading its verdict.

The reviewer sees the original spec and the result (and, for agent projects, where the files are) and must
answer with a `VERDICT:` line (pass, concerns or fail) and reasons. The verdict lands in the review run's
envelope extras, so the trail and the index carry it like any other field.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from core import tiers
from core.config import Config

VERDICTS = ("pass", "concerns", "fail")
_VERDICT = re.compile(rf"^[\W_]*verdict[\W_]*[:=\-]?[\W_]*({'|'.join(VERDICTS)})\b", re.IGNORECASE | re.MULTILINE)
_REASON = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+(.+)$", re.MULTILINE)
RESULT_CAP = 60_000
"""Characters of the reviewed result put in the brief; longer ones are cut and the cut is stated."""

BRIEF = """\
Task type: general

## Goal
Review, independently and critically, the result another model produced for the task below, and decide
whether it meets the task's own Goal, Output and Verification sections.

## Non-goals
Do not redo the task and do not change any file. Judge only what is given.

## Inputs
### The original task spec
{spec}

### The result under review (run {run_id}, by {model})
{result}
{files}
## Output
First line exactly `VERDICT: pass`, `VERDICT: concerns` or `VERDICT: fail`. Then one reason per line,
each starting with `- `: what is wrong or missing, citing the spec. For `pass`, say what you checked.

## Verification
Every reason points at a concrete requirement of the spec or a concrete defect in the result.
"""


def brief(record: dict[str, Any], files_root: Path | None = None) -> str:
    """The reviewer's spec for one result record."""
    result = str(record.get("result") or "")
    if len(result) > RESULT_CAP:
        result = (
            result[:RESULT_CAP]
            + f"\n[... cut: the result has {len(result)} characters, the first {RESULT_CAP} are shown]"
        )
    files = (
        f"\n### The project's files\nThe work was done in {files_root}; read what you need there (read only).\n"
        if files_root
        else ""
    )
    return BRIEF.format(
        spec=str(record.get("spec") or "(no spec recorded)").strip(),
        run_id=record.get("run_id"),
        model=record.get("model") or "an unknown model",
        result=result.strip() or "(empty)",
        files=files,
    )


def verdict_of(answer: str) -> dict[str, Any]:
    """The reviewer's verdict and reasons; an answer without a verdict line counts as concerns, and says so."""
    match = _VERDICT.search(answer)
    reasons = [m.strip() for m in _REASON.findall(answer[match.end() :] if match else answer)][:20]
    if match is None:
        return {"verdict": "concerns", "reasons": ["the reviewer gave no VERDICT line; read its full answer", *reasons]}
    return {"verdict": match.group(1).lower(), "reasons": reasons}


def reviewers(config: Config, reviewed_model: str | None) -> tuple[list[str], bool]:
    """The models to ask for a review, in order, and whether they are independent of the reviewed one: every
    other model, the general tier's first, so a reviewer that is down falls back to the next like any tier."""
    general = tiers.effective_tiers(config).get("general")
    preferred = list(dict.fromkeys([*(general.models if general else []), *sorted(config.models)]))
    others = [name for name in preferred if name in config.models and name != reviewed_model]
    if others:
        # Models the user configured before the built-in local one, which may not be installed.
        return sorted(others, key=lambda name: config.models[name].builtin), True
    if reviewed_model in config.models:
        return [reviewed_model], False
    return tiers.resolve(config, task_type="general").models, True
