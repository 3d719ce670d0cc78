"""Follow-ups to finished runs: resume a project's session with a new turn, or have another model review a
result. Both build an ordinary DispatchRequest, so the CLI (`dispatch resume` / `review`) and the console run
them through the same engine, and the trail links each to the run it follows (parent_run_id).
"""

from __future__ import annotations

from typing import Any

from core import review as reviews
from core.audit.index import Index, RunRow
from core.audit.store import LOGS, Project, validate_session_id
from core.config import Config
from core.engine import DispatchRequest
from core.envelope import Status
from core.errors import UsageError


def resume(
    config: Config,
    index: Index,
    project: Project,
    prompt: str | None,
    *,
    session: str | None = None,
    spec_text: str = "",
    model: str | None = None,
    tier: str | None = None,
    task_type: str | None = None,
) -> DispatchRequest:
    """Continue a session (the project's last one unless named): chat models get its stored history plus the
    new turn, agents their own session id. The same model, on the session's task type, continues unless
    another choice is given; the answer keeps the Output contract of the spec it continues (unless a new spec
    is given)."""
    if not (prompt or "").strip() and not spec_text.strip():
        raise UsageError("nothing to resume with", "say what the model should do next")
    session = validate_session_id(session) if session else project.last_session_id()
    if not session:
        raise UsageError(
            f"project '{project.slug}' has no session to resume", f"start one with `dispatch run --slug {project.slug}`"
        )
    turns = index.runs(project.slug, session=session, limit=1000)
    if not turns:
        raise UsageError(
            f"project '{project.slug}' has no session {session!r}", f"see `dispatch sessions --slug {project.slug}`"
        )
    base, history = resume_point(project, turns)
    chosen = model or tier or task_type
    try:
        task = "" if spec_text.strip() else str(project.read_run(base.run_id).get("spec") or "")
    except (OSError, ValueError):
        task = ""
    return DispatchRequest(
        spec_text=spec_text,
        prompt=prompt,
        slug=project.slug,
        model=model or (None if chosen else _configured(config, base.model)),
        tier=tier or (None if chosen else base.tier),  # the same model, named by the tier it ran in
        task_type=task_type or (None if chosen or spec_text.strip() else base.task_type),
        kind="resume",
        history=history,
        session_id=session,
        parent_run_id=base.run_id,
        lint=bool(spec_text),
        contract_spec=task or None,
    )


def resume_point(project: Project, turns: list[RunRow]) -> tuple[RunRow, list[dict[str, Any]]]:
    """The session's newest run with a stored history (a successful one first) and that history."""
    fallback: tuple[RunRow, list[dict[str, Any]]] | None = None
    for run in turns:
        try:
            messages = project.read_run(run.run_id).get("messages") or []
        except (OSError, ValueError):
            continue
        if messages and run.status == Status.OK:
            return run, messages
        fallback = fallback or (run, messages)
    return fallback or (turns[0], [])


def _configured(config: Config, model: str | None) -> str | None:
    """The session's model when it is still configured, so a resume continues with the same model."""
    return model if model and model in config.models else None


def review(
    config: Config,
    index: Index,
    project: Project,
    *,
    run_id: str | None = None,
    model: str | None = None,
    tier: str | None = None,
    task_type: str | None = None,
) -> tuple[DispatchRequest, bool]:
    """A read-only review of one run (the project's last finished one unless named), by a model other than
    the one reviewed when there is one; returns the request and whether the reviewer is independent. A run that
    left nothing to review (killed before its answer) is refused: a review of '(empty)' recorded a verdict and
    made the project read as if its last run had gone well."""
    if run_id is None:
        target = next(
            (r for r in index.runs(project.slug, limit=1000) if r.kind != "review" and r.status != Status.RUNNING), None
        )
        if target is None:
            raise UsageError(
                f"project '{project.slug}' has no finished run to review",
                f"dispatch one first with `dispatch run --slug {project.slug}`",
            )
        run_id = target.run_id
    record = project.named_run(run_id)
    if not str(record.get("result") or "").strip() and not record.get("changes"):
        how = f"{record.get('status')}" + (f" ({record['reason']})" if record.get("reason") else "")
        raise UsageError(
            f"run {run_id} of '{project.slug}' ended {how} with no answer or changes to review",
            f"run it again with `dispatch run --slug {project.slug}`, or resume it with `dispatch resume --slug "
            f"{project.slug}`",
        )
    independent = True
    fallback: list[str] = []
    if not (model or tier or task_type):
        candidates, independent = reviews.reviewers(config, record.get("model"))
        model, fallback = candidates[0], candidates[1:]
    files = project.root if any(p.name != LOGS for p in project.root.iterdir()) else None
    request = DispatchRequest(
        spec_text=reviews.brief(record, files),
        slug=project.slug,
        model=model,
        tier=tier,
        task_type=task_type,
        kind="review",
        read_only=True,
        permission="plan",
        parent_run_id=run_id,
        lint=False,
        fallback=fallback,
        extras={"reviewed_run_id": run_id},
    )
    return request, independent
