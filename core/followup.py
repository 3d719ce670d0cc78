"""Follow-ups to a finished run: resume its conversation with a new prompt, or ask for a review of its result.

Both build an ordinary DispatchRequest from the run's record, so the engine, the CLI and the console run them
the same way and the trail links them to the run they follow (parent_run_id).
"""

from __future__ import annotations

from typing import Any

from core.audit.store import Project
from core.config import Config
from core.engine import DispatchRequest
from core.errors import UsageError

REVIEW_PROMPT = """\
Review the result below against the spec it answered. Check every point of the Output contract and the
Verification section. Start your answer with exactly one line `Verdict: approve` or `Verdict: concerns`,
then list each concern with what to change.

# The spec
{spec}

# The result
{result}
"""


def _record(slug: str, run_id: str) -> dict[str, Any]:
    try:
        return Project.at(slug).read_run(run_id)
    except FileNotFoundError:
        raise UsageError(f"no run {run_id} in project '{slug}'", "pick a run from the audit browser or `dispatch list`") from None


def _same_model(config: Config, record: dict[str, Any]) -> dict[str, str | None]:
    model = record.get("model")
    if model in config.models:
        return {"model": model}
    return {"tier": record.get("tier") if record.get("tier") else None}


def resume(config: Config, slug: str, run_id: str, prompt: str) -> DispatchRequest:
    """Continue the run's conversation: its messages for HTTP models, its session id for agent CLIs."""
    if not prompt.strip():
        raise UsageError("nothing to resume with", "type what the model should do next")
    record = _record(slug, run_id)
    return DispatchRequest(spec_text="", prompt=prompt, slug=slug, kind="resume", lint=False,
                           history=list(record.get("messages") or []), session_id=record.get("session_id"),
                           parent_run_id=run_id, task_type=record.get("task_type"), **_same_model(config, record))


def review(config: Config, slug: str, run_id: str) -> DispatchRequest:
    """Ask for a verdict on the run's result against its own spec."""
    record = _record(slug, run_id)
    prompt = REVIEW_PROMPT.format(spec=record.get("spec") or "", result=record.get("result") or "")
    return DispatchRequest(spec_text="", prompt=prompt, slug=slug, kind="review", lint=False, parent_run_id=run_id,
                           task_type=record.get("task_type"), **_same_model(config, record))
