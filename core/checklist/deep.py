"""`dispatch lint --deep`: ask a model which questions a contractor would still need answered.

The rules only see phrasing; a model reading the spec as the contractor would can name gaps they miss. Its
questions are advice: warnings naming the model, never a refusal unless the config says `[lint] deep = "error"`.
It goes to the configured `general` tier (the built-in local model when nothing is configured), straight to its
backend: a look before dispatching is not a run, so nothing is recorded.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from core import tiers
from core.backends import backend_for
from core.backends.base import BackendRequest, ModelRejected, TransientError
from core.config import Config
from core.envelope import Status
from core.errors import DispatchError
from core.events import BackendDone, TextDelta
from core.redact import Redactor
from core.spec import Finding, Severity

TIER = "general"
MAX_QUESTIONS = 10
MAX_QUESTION_CHARS = 300
TIMEOUT = 120.0
"""Seconds the model gets to answer (less when the model's own timeout is shorter)."""
STOP_SLACK = 5.0
"""Past the timeout, how long a backend that stops itself gets to say so before it is cut off."""

PROMPT = """You are a contractor about to do the task in the spec below, with nothing but this spec to go on.
Do not do the task. List the questions you would need answered before you could do it well, one per line, each
line starting with "- ". If nothing is missing, reply with the single word NONE.

--- SPEC ---
{spec}
--- END OF SPEC ---"""

_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+(?P<question>\S.*)$")


async def findings(config: Config, text: str, cwd: Path) -> list[Finding]:
    """The model's questions as findings (errors only under `[lint] deep = "error"`); one finding saying why when
    the model could not be asked."""
    severity = Severity.ERROR if config.lint.deep == "error" else Severity.WARNING
    redactor = Redactor.from_environment(
        (m.api_key_env for m in config.models.values() if m.api_key_env), patterns=config.redact.patterns
    )
    try:
        name = tiers.resolve(config, tier=TIER).models[0]
        answer = await _ask(config, name, text, cwd, redactor)
    except (DispatchError, TransientError, ModelRejected, TimeoutError) as exc:
        why = (
            exc.one_line()
            if isinstance(exc, DispatchError)
            else "no answer in time"
            if isinstance(exc, TimeoutError)
            else str(exc)
        )
        return [
            Finding(
                "deep-unavailable",
                severity,
                1,
                f"the {TIER} tier could not be asked: {redactor.text(why)}",
                "check `dispatch tiers` and the model's server, or lint without --deep",
            )
        ]
    return [
        Finding(
            "deep-question",
            severity,
            1,
            f"{name} asks: {question}",
            "answer it in the spec (or say why it does not matter)",
            quote="",
        )
        for question in questions(redactor.text(answer))
    ]


def questions(answer: str) -> list[str]:
    """The listed questions of an answer; none for NONE or an answer that lists nothing."""
    found = [
        " ".join(match["question"].split())[:MAX_QUESTION_CHARS]
        for line in answer.splitlines()
        if (match := _ITEM.match(line))
    ]
    return [q for q in found if q.strip(" .").upper() != "NONE"][:MAX_QUESTIONS]


async def _ask(config: Config, name: str, text: str, cwd: Path, redactor: Redactor) -> str:
    model = config.model(name)
    backend = backend_for(model)
    backend.preflight()
    timeout = min(TIMEOUT, model.timeout or TIMEOUT)
    request = BackendRequest(
        prompt=PROMPT.format(spec=text), cwd=cwd, timeout=timeout, read_only=True, permission="plan", redactor=redactor
    )
    chunks: list[str] = []
    done: BackendDone | None = None
    async with asyncio.timeout(timeout + STOP_SLACK):
        async for event in backend.run(request):
            if isinstance(event, TextDelta):
                chunks.append(event.text)
            elif isinstance(event, BackendDone):
                done = event
    if done is None or done.status != Status.OK:
        raise TransientError(done.error or str(done.status) if done else "the model stopped without an answer")
    return done.result or "".join(chunks)
