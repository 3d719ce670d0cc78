"""What a person can do about a run whose answer broke its Output contract, from the run view or the record:
resume with the failed checks pasted (the engine's own re-ask text), or accept the answer anyway (recorded as the
operator's call, core/contract/acceptance.py). Escalate is the screens' usual `e`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from core.audit.store import Project
from core.contract import Report, acceptance
from core.errors import DispatchError
from tui.messages import RunsChanged
from tui.screens.confirm import ConfirmScreen

if TYPE_CHECKING:
    from tui.app import DispatchApp

HINT = "the answer breaks its Output contract: fix (f) resumes with the failed checks pasted, escalate (e), or accept it anyway (a)"


def failed_checks(contract: Any) -> list[dict[str, Any]]:
    checks = contract.get("checks") if isinstance(contract, dict) else None
    return [c for c in checks or [] if isinstance(c, dict) and c.get("passed") is False]


def violated(reason: str | None, contract: Any) -> bool:
    return reason == acceptance.VIOLATION and bool(failed_checks(contract))


def fix(app: DispatchApp, slug: str, run_id: str, contract: Any) -> None:
    """Resume the run's session with the failed checks listed, as the engine's --contract-retries would."""
    app.resume(slug, run_id, Report(failed_checks(contract)).reask())


def accept(app: DispatchApp, slug: str, run_id: str, then: Callable[[], None]) -> None:
    """Ask first (a stray `a` typed after a run, meant for the prompt, must not record a call for the operator),
    then record the acceptance off the event loop and call `then`; says what happened either way."""

    async def answered(yes: bool | None) -> None:
        if not yes:
            return
        try:
            entry = await asyncio.to_thread(acceptance.accept, Project.at(slug), run_id)
        except (DispatchError, OSError) as exc:
            app.notify(str(exc), severity="error", title="not accepted")
            return
        app.notify(f"{slug} {run_id}: accepted despite {', '.join(entry['failed'])}", title="accepted")
        app.post_message(RunsChanged(slug))
        then()

    question = f"Accept run {run_id}'s answer although it breaks its Output contract? It is recorded as your call."
    app.push_screen(ConfirmScreen(question, "Accept"), answered)
