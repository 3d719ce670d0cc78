"""Any CLI as a backend: an argv template from config, such as `["aider", "--message", "{prompt}", "--yes"]`.

`{prompt}` is replaced by the prompt inside whichever arguments hold it (as one argv element, never through
a shell); when no argument holds it, the prompt goes to stdin. Output is plain text, streamed line by line;
exit status 0 is ok. There is no session to resume: a resume runs again with the new prompt.
"""

from __future__ import annotations

from core.backends.agent import AgentBackend
from core.backends.base import BackendRequest
from core.errors import BackendUnavailable

PLACEHOLDER = "{prompt}"


class CommandBackend(AgentBackend):
    kind = "command"
    can_resume = False
    has_tools = False
    json_output = False
    install_hint = "check the model's `args` (argv template) and `bin` in config.toml"

    @property
    def template(self) -> list[str]:
        args = list(self.model.args)
        if self.model.bin:
            args = [self.model.bin, *args]
        if not args:
            raise BackendUnavailable(
                f"model '{self.model.name}' (backend command) has no command",
                'set args = ["tool", "--message", "{prompt}"] (and optionally bin) in its [models] table',
            )
        return args

    @property
    def default_bin(self) -> str:  # type: ignore[override]
        return self.template[0]

    def argv(self, binary: str, request: BackendRequest) -> list[str]:
        return [binary, *(arg.replace(PLACEHOLDER, request.prompt) for arg in self.template[1:])]

    def stdin(self, request: BackendRequest) -> bytes | None:
        return None if any(PLACEHOLDER in arg for arg in self.template[1:]) else request.prompt.encode()
