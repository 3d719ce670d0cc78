"""Backend kinds by name, imported only when used so a stateless run never loads agent code."""

from __future__ import annotations

import importlib

from core.backends.base import Backend
from core.config import ModelConfig
from core.errors import ConfigError

_KINDS = {
    "openai": "core.backends.openai_chat:OpenAIChatBackend",
    "local": "core.backends.local:LocalBackend",
    "web": "core.backends.web:WebBackend",
}


def register(kind: str, target: str) -> None:
    _KINDS[kind] = target


def backend_for(model: ModelConfig) -> Backend:
    target = _KINDS.get(model.backend)
    if target is None:
        raise ConfigError(f"model '{model.name}': backend '{model.backend}' is not available in this version",
                          f"use one of: {', '.join(sorted(_KINDS))}")
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)(model)
