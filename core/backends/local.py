"""The built-in local model: the OpenAI-compatible chat backend pointed at a llama.cpp server that dispatch runs itself.

The conversation is inherited; this makes sure the server is up (joining the built-in weights and starting or
reusing the server off the event loop, so the console stays responsive), keeps it from being replaced while this
run talks to it, fits the prompt to a small model (`core.local.prompt`), holds a classification's answer to the
spec's labels, takes a code fence off a bare-JSON answer (recorded as a repair), and says what to do when a spec
overflows its context.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import replace
from typing import Any

from core.backends.base import BackendRequest, ModelRejected
from core.backends.openai_chat import OpenAIChatBackend
from core.envelope import Status
from core.errors import BackendUnavailable
from core.events import BackendDone, Event, Notice, TextDelta
from core.local import prompt, runtime
from core.local.server import DEFAULT_CONTEXT, LocalServer, ServerSpec, ServerUse

REPEAT_PENALTY = 1.0
"""llama.cpp's default, under which the labelled set (tests/e2e) was measured; a penalty also taxes the repeated
tokens that JSON and code need. SmolLM2 needed 1.1 to stop echoing the spec. `options.repeat_penalty` overrides."""


class LocalBackend(OpenAIChatBackend):
    kind = "local"
    default_context_window = DEFAULT_CONTEXT

    def messages(self, request: BackendRequest) -> list[dict[str, Any]]:
        if request.history:
            return super().messages(request)
        return [{"role": "user", "content": prompt.reshape(request.spec_text, request.prompt)}]

    def payload(self, request: BackendRequest) -> dict[str, Any]:
        penalty = self.model.options.get("repeat_penalty", REPEAT_PENALTY)
        if not isinstance(penalty, (int, float)) or isinstance(penalty, bool):
            raise BackendUnavailable(f"model '{self.model.name}': repeat_penalty must be a number", "e.g. 1.1")
        body = {**super().payload(request), "repeat_penalty": float(penalty)}
        if not request.history and (grammar := prompt.label_grammar(request.spec_text)):
            body["grammar"] = grammar
        return body

    def preflight(self) -> None:
        runtime.check(self.model)

    async def run(self, request: BackendRequest) -> AsyncGenerator[Event, None]:
        server = LocalServer()
        use = ServerUse(server.directory)
        try:
            if runtime.needs_assembly(self.model):
                yield Notice("joining the built-in model's weights from their packages (once, a few seconds)")
            state = await asyncio.to_thread(lambda: server.ensure(ServerSpec.for_model(self.model), use=use))
            self.model = replace(self.model, base_url=state.base_url)
            if server.started:
                yield Notice(
                    f"started the local model server (pid {state.pid} on {state.base_url}); it stays up for "
                    "the next dispatches until `dispatch local stop`"
                )
            if not request.history and (named := prompt.labels(request.spec_text)):
                yield Notice(f"the answer is held to the spec's labels ({', '.join(named)}) by a grammar")
            try:
                async for event in self._answer(request):
                    yield event
            except ModelRejected as exc:
                if exc.reason != "context_overflow":
                    raise
                raise ModelRejected(
                    f"{exc} (the local model's context is {self.model.context_window or DEFAULT_CONTEXT} "
                    f"tokens: shorten the spec, or raise context_window under "
                    f"[models.{self.model.name}] in config.toml)",
                    exc.reason,
                ) from None
        finally:
            use.release()

    async def _answer(self, request: BackendRequest) -> AsyncIterator[Event]:
        """The chat run's events; for a bare-JSON contract the text is held back and sent once, unfenced."""
        hold = prompt.wants_bare_json(request.spec_text) and not request.history
        async for event in super().run(request):
            if hold and isinstance(event, TextDelta):
                continue
            if isinstance(event, BackendDone):
                if (
                    hold
                    and event.status == Status.OK
                    and (bare := prompt.unfence_json(request.spec_text, event.result))
                ):
                    yield Notice("removed the code fence around the JSON answer (the contract asks for bare JSON)")
                    event = replace(event, result=bare, extras={**event.extras, "repairs": ["unfenced_json"]})
                if hold and event.result:
                    yield TextDelta(event.result)
            yield event
