"""The built-in local model: the OpenAI-compatible chat backend pointed at a llama-server that dispatch runs itself.

Everything about the conversation is inherited; this only makes sure the server is up (starting or reusing it,
off the event loop so the console stays responsive), keeps it from being replaced while this run talks to it,
and says what to do when a spec overflows its context.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from core.backends.base import BackendRequest
from core.backends.openai_chat import OpenAIChatBackend
from core.errors import BackendUnavailable
from core.events import BackendDone, Event, Notice
from core.local import runtime
from core.local.server import DEFAULT_CONTEXT, LocalServer, ServerSpec, ServerUse


REPEAT_PENALTY = 1.1
"""llama.cpp's default is 1.0, under which SmolLM2-135M echoed the spec or looped until max_tokens on
examples/hello.md; at 1.1 it answered in 20 tokens (1.3 drifted off topic). `options.repeat_penalty` overrides."""


class LocalBackend(OpenAIChatBackend):
    kind = "local"
    default_context_window = DEFAULT_CONTEXT

    def payload(self, request: BackendRequest) -> dict[str, Any]:
        penalty = self.model.options.get("repeat_penalty", REPEAT_PENALTY)
        if not isinstance(penalty, (int, float)) or isinstance(penalty, bool):
            raise BackendUnavailable(f"model '{self.model.name}': repeat_penalty must be a number", "e.g. 1.1")
        return {**super().payload(request), "repeat_penalty": float(penalty)}

    def preflight(self) -> None:
        runtime.check(self.model)

    async def run(self, request: BackendRequest) -> AsyncIterator[Event]:
        spec = ServerSpec.for_model(self.model)
        server = LocalServer()
        use = ServerUse(server.directory)
        try:
            state = await asyncio.to_thread(server.ensure, spec, use=use)
            self.model = replace(self.model, base_url=state.base_url)
            if server.started:
                yield Notice(f"started the local model server (pid {state.pid} on {state.base_url}); it stays up for "
                             "the next dispatches until `dispatch local stop`")
            async for event in super().run(request):
                if isinstance(event, BackendDone) and event.reason == "context_overflow":
                    event = replace(event, error=f"{event.error} (the local model's context is "
                                                 f"{self.model.context_window or DEFAULT_CONTEXT} tokens: shorten the "
                                                 f"spec, or raise context_window under [models.{self.model.name}] in "
                                                 "config.toml)")
                yield event
        finally:
            use.release()
