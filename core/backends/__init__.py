"""Backend kinds by name, imported only when used so a stateless run never loads agent code.

This is the one registry: config validation reads `kinds()`, so a kind added with `register()` is one that
config files may name.
"""

from __future__ import annotations

import importlib

from core.backends.base import Backend
from core.config import ModelConfig
from core.errors import ConfigError

_KINDS = {
    "openai": "core.backends.openai_chat:OpenAIChatBackend",
    "local": "core.backends.local:LocalBackend",
    "web": "core.backends.web:WebBackend",
    "claude-code": "core.backends.claude_code:ClaudeCodeBackend",
    "codex": "core.backends.codex:CodexBackend",
    "gemini": "core.backends.gemini:GeminiBackend",
    "command": "core.backends.command:CommandBackend",
}


def register(kind: str, target: str) -> None:
    """Add a backend kind: `target` is "module:ClassName", imported the first time a model of that kind runs."""
    _KINDS[kind] = target


def kinds() -> list[str]:
    """The kind names, in registration order (the built-in ones first)."""
    return list(_KINDS)


def backend_class(model: ModelConfig) -> type[Backend]:
    """The class a model runs on, for reading its capability flags without building a backend."""
    target = _KINDS.get(model.backend)
    if target is None:
        raise ConfigError(
            f"model '{model.name}': backend '{model.backend}' is not available in this version",
            f"use one of: {', '.join(kinds())}",
        )
    module, name = target.split(":")
    kind: type[Backend] = getattr(importlib.import_module(module), name)
    return kind


def backend_for(model: ModelConfig) -> Backend:
    return backend_class(model)(model)
