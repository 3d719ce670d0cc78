"""`--mode web`: the same config seen through web research, so routing picks a model that can browse.

Any OpenAI-compatible model can run the web loop if it does tool calling, so in web mode `openai` models
become `web` models; agent CLIs cannot and are left out. Models configured as `backend = "web"` are
preferred: when there are any, every tier routes to them, except a tier of only built-in models (`local`):
it promises no key and no network, so it is left out rather than sent to someone's endpoint.
"""

from __future__ import annotations

from dataclasses import replace

from core import tiers
from core.config import Config, ModelConfig
from core.errors import ConfigError, UsageError
from core.web import settings

WEB_CAPABLE = ("web", "openai")


def view(config: Config, model: str | None = None) -> Config:
    """The config as web mode routes it; raises before anything is recorded when no model fits."""
    if model is not None and config.model(model).backend not in WEB_CAPABLE:
        raise UsageError(
            f"model '{model}' ({config.models[model].backend}) cannot run in web mode",
            'pick a model with backend = "web" or "openai" (a tool-calling OpenAI-compatible endpoint)',
        )
    models = {name: _as_web(m) for name, m in config.models.items() if m.backend in WEB_CAPABLE}
    if not models:
        raise ConfigError(
            "no model can run in web mode",
            'add [models.NAME] with backend = "web" over a tool-calling OpenAI-compatible endpoint, '
            "or set DISPATCH_BASE_URL",
        )
    native = [name for name, m in config.models.items() if m.backend == "web"]
    routed = {}
    for name, tier in tiers.effective_tiers(config).items():
        members = [m for m in tier.models if m in models]
        if native and not _builtin_only(config, tier.models):
            members = native
        if members:
            routed[name] = replace(tier, models=members)
    return replace(config, models=models, tiers=routed)


def _builtin_only(config: Config, names: list[str]) -> bool:
    known = [config.models[n] for n in names if n in config.models]
    return bool(known) and all(m.builtin for m in known)


def _as_web(model: ModelConfig) -> ModelConfig:
    if model.backend == "web":
        return model
    try:
        settings.parse(model.options)
    except ValueError as exc:
        raise ConfigError(
            f"models.{model.name}: {exc}", "fix it in config.toml to use this model in web mode"
        ) from None
    return replace(model, backend="web")
