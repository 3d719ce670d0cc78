"""The user's configuration: models, tiers and defaults, read from config.toml and the environment.

Read with tomllib. A fresh file (`config init`, a first save) is written with tomli_w; an existing file is
edited in place with tomlkit, which keeps the user's comments, order and layout. Both are imported only there.
A model's API key is never stored here: `api_key_env` names the environment variable that holds it.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from core import paths
from core.errors import ConfigError

BACKENDS = ("openai", "local", "claude-code", "codex", "gemini", "command", "web")
PERMISSIONS = ("plan", "acceptEdits", "bypass")


@dataclass
class ModelConfig:
    name: str
    backend: str = "openai"
    base_url: str | None = None
    api_key_env: str | None = None
    model: str | None = None
    price_in: float = 0.0
    """USD per million input tokens."""
    price_out: float = 0.0
    max_tokens: int | None = None
    temperature: float | None = None
    timeout: float | None = None
    context_window: int | None = None
    bin: str | None = None
    """Agent backends: the executable (else found on PATH)."""
    args: list[str] = field(default_factory=list)
    """Agent backends: extra arguments; for `command`, the argv template with {prompt}."""
    env: dict[str, str] = field(default_factory=dict)
    """Agent backends: extra environment for the child (values may be ${VAR} references)."""
    options: dict[str, Any] = field(default_factory=dict)
    """Backend-specific settings (web search provider and the like), validated by the backend."""
    builtin: bool = False
    """Defined by dispatch itself (the `local` model), not by the user's config or environment."""

    @property
    def provider_model(self) -> str:
        return self.model or self.name

    def api_key(self) -> str | None:
        return os.environ.get(self.api_key_env) if self.api_key_env else None

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return round((input_tokens * self.price_in + output_tokens * self.price_out) / 1_000_000, 8)


@dataclass
class TierConfig:
    name: str
    models: list[str]
    task_types: list[str] = field(default_factory=list)
    description: str = ""


@dataclass
class Defaults:
    timeout: float = 600.0
    permission: str = "acceptEdits"
    theme: str = "dispatch-dark"


@dataclass
class Config:
    models: dict[str, ModelConfig] = field(default_factory=dict)
    tiers: dict[str, TierConfig] = field(default_factory=dict)
    defaults: Defaults = field(default_factory=Defaults)
    path: Path | None = None
    """The file this came from, or None when nothing was on disk."""
    from_environment: set[str] = field(default_factory=set)
    """Models made from environment variables (DISPATCH_BASE_URL); never written back to the file."""

    def model(self, name: str) -> ModelConfig:
        try:
            return self.models[name]
        except KeyError:
            raise ConfigError(f"unknown model '{name}'",
                              f"known: {', '.join(sorted(self.models)) or 'none'}; see `dispatch models`") from None


_MODEL_KEYS = {f.name for f in fields(ModelConfig)} - {"name", "options", "builtin"}
_TIER_KEYS = {"models", "task_types", "description"}
_DEFAULT_KEYS = {f.name for f in fields(Defaults)}
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TYPES: dict[str, tuple[type, ...]] = {
    "backend": (str,), "base_url": (str,), "api_key_env": (str,), "model": (str,), "bin": (str,),
    "price_in": (int, float), "price_out": (int, float), "temperature": (int, float), "timeout": (int, float),
    "max_tokens": (int,), "context_window": (int,), "args": (list,), "env": (dict,),
}


def load(path: Path | None = None, environ: dict[str, str] | None = None) -> Config:
    """The config file (if any) merged with what the environment defines."""
    env = os.environ if environ is None else environ
    path = path or paths.config_path()
    config = Config()
    if path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problem = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else exc.strerror or str(exc)
            raise ConfigError(f"cannot read config {path}: {problem}",
                              "make it a UTF-8 TOML file, or move it away and run `dispatch config init`") from None
        config = _from_dict(_toml(text, f"{path}: ", "or move the file away and run `dispatch config init`"), path, text)
        config.path = path
    _apply_environment(config, env)
    config.models.setdefault("local", builtin_local())
    return config


def builtin_local() -> ModelConfig:
    """The model that works with no key and no config: Qwen2.5-Coder-0.5B-Instruct in llama.cpp's server on this
    machine, at temperature 0 (a small model's best guess is its most likely one)."""
    return ModelConfig(name="local", backend="local", model="local", context_window=4096, max_tokens=512,
                       temperature=0.0, builtin=True)


def user_models(config: Config) -> list[str]:
    """The models the user defined (config file or DISPATCH_BASE_URL), in order, without the built-in ones."""
    return [name for name, model in config.models.items() if not model.builtin]


def _from_dict(data: dict[str, Any], path: Path, text: str) -> Config:
    def fail(what: str, header: str | None, key: str | None = None) -> ConfigError:
        line = _line_of(text, header, key) if header else 1
        return ConfigError(f"{path}:{line}: {what}", "fix it, or see `dispatch config init` for a commented example")

    unknown = set(data) - {"models", "tiers", "defaults"}
    if unknown:
        raise fail(f"unknown table '{sorted(unknown)[0]}' (expected models, tiers, defaults)", sorted(unknown)[0])
    for table in ("models", "tiers", "defaults"):
        if not isinstance(data.get(table, {}), dict):
            raise fail(f"{table} must be a table ([{table}...] headers), not a {type(data[table]).__name__}", None)
    config = Config()
    for name, raw in (data.get("models") or {}).items():
        header = rf"\[models\.\"?{re.escape(name)}\"?\]"
        if not isinstance(raw, dict):
            raise fail(f"[models.{name}] must be a table", header)
        known = {k: v for k, v in raw.items() if k in _MODEL_KEYS}
        for key, value in known.items():
            if key in _TYPES and not isinstance(value, _TYPES[key]) or isinstance(value, bool):
                raise fail(f"models.{name}.{key} has the wrong type ({type(value).__name__})", header, key)
        if "base_url" in known and (problem := _url_problem(known["base_url"])):
            raise fail(f"models.{name}.base_url {problem}", header, "base_url")
        if not _strings(known.get("args", [])):
            raise fail(f"models.{name}.args must be a list of strings (quote every argument)", header, "args")
        for key, value in known.items():
            if isinstance(value, float) and (math.isnan(value) or math.isinf(value) and key != "timeout"):
                raise fail(f"models.{name}.{key} must be a finite number, not {value}", header, key)
        for key in ("timeout", "max_tokens", "context_window", "price_in", "price_out"):
            if key in known and (known[key] < 0 or known[key] == 0 and not key.startswith("price")):
                raise fail(f"models.{name}.{key} must be {'zero or more' if key.startswith('price') else 'positive'}",
                           header, key)
        backend = known.get("backend", "openai")
        if backend not in BACKENDS:
            raise fail(f"models.{name}.backend '{backend}' is not one of {', '.join(BACKENDS)}", header, "backend")
        if "api_key" in raw:
            raise fail(f"models.{name} holds an api_key: store only api_key_env, the name of an environment variable",
                       header, "api_key")
        if "api_key_env" in known and not _ENV_NAME.fullmatch(known["api_key_env"]):
            raise fail(f"models.{name}.api_key_env is not the name of an environment variable (is it a key? "
                       "never put a key in this file)", header, "api_key_env")
        options = {k: v for k, v in raw.items() if k not in _MODEL_KEYS}
        if backend == "web":
            from core.web import settings as web_settings

            try:
                web_settings.parse(options)
            except ValueError as exc:
                raise fail(f"models.{name}: {exc}", header) from None
        config.models[name] = ModelConfig(name=name, **known, options=options)
    for name, raw in (data.get("tiers") or {}).items():
        header = rf"\[tiers\.\"?{re.escape(name)}\"?\]"
        if not isinstance(raw, dict) or not _strings(raw.get("models")) or not raw["models"]:
            raise fail(f"[tiers.{name}] needs models = [\"...\"], an ordered list of model names", header)
        if extra := set(raw) - _TIER_KEYS:
            raise fail(f"tiers.{name} has unknown key '{sorted(extra)[0]}'", header)
        if not _strings(raw.get("task_types", [])) or not isinstance(raw.get("description", ""), str):
            raise fail(f"tiers.{name}: task_types must be a list of names and description a string", header)
        config.tiers[name] = TierConfig(name=name, models=list(raw["models"]),
                                        task_types=list(raw.get("task_types", [])),
                                        description=str(raw.get("description", "")))
    defaults = data.get("defaults") or {}
    if extra := set(defaults) - _DEFAULT_KEYS:
        raise fail(f"defaults has unknown key '{sorted(extra)[0]}'", r"\[defaults\]")
    if wrong := [key for key in ("permission", "theme") if not isinstance(defaults.get(key, ""), str)]:
        raise fail(f"defaults.{wrong[0]} must be a string", r"\[defaults\]", wrong[0])
    config.defaults = Defaults(**defaults)
    if not _is_seconds(config.defaults.timeout):
        raise fail("defaults.timeout must be a positive number of seconds", r"\[defaults\]", "timeout")
    if config.defaults.permission not in PERMISSIONS:
        raise fail(f"defaults.permission must be one of {', '.join(PERMISSIONS)}", r"\[defaults\]")
    for tier in config.tiers.values():
        for model in tier.models:
            if model not in config.models and model not in ("default", "local"):
                raise fail(f"tiers.{tier.name} names model '{model}', which is not defined under [models]",
                           rf"\[tiers\.\"?{re.escape(tier.name)}\"?\]")
    return config


def _url_problem(url: str) -> str | None:
    """Why `url` cannot be an endpoint (not http(s), no host, a bad port), or None; checked here so a typo is a
    config error naming the setting rather than a traceback from the HTTP client."""
    try:
        parts = urlsplit(url)
        parts.port  # reading it raises ValueError for a port out of range or not a number
    except ValueError as exc:
        return f"{url!r} is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not an http:// or https:// URL with a host"
    return None


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _is_seconds(value: object) -> bool:
    """A usable timeout: a number above zero (infinity means none); NaN and booleans are not."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def _line_of(text: str, pattern: str, key: str | None = None) -> int:
    """The line of a table's header, or of `key = ...` inside that table when it is there."""
    match = re.search(rf"^[ \t]*{pattern}", text, re.MULTILINE)
    if not match:
        return 1
    if key:
        body = re.compile(r"^[ \t]*\[", re.MULTILINE).search(text, match.end())
        end = body.start() if body else len(text)
        found = re.compile(rf"^[ \t]*\"?{re.escape(key)}\"?[ \t]*=", re.MULTILINE).search(text, match.end(), end)
        match = found or match
    return text.count("\n", 0, match.start()) + 1


def _apply_environment(config: Config, env: os._Environ[str] | dict[str, str]) -> None:
    """DISPATCH_BASE_URL alone defines a working model named `default`, as in the reference designs."""
    if timeout := env.get("DISPATCH_TIMEOUT"):
        try:
            seconds = float(timeout)
        except ValueError:
            seconds = math.nan
        if not _is_seconds(seconds):
            raise ConfigError(f"DISPATCH_TIMEOUT={timeout!r} is not a positive number of seconds", "set it to e.g. 600")
        config.defaults.timeout = seconds
    if permission := env.get("DISPATCH_PERMISSION"):
        permission = {"dangerously-skip-permissions": "bypass", "bypassPermissions": "bypass"}.get(permission, permission)
        if permission not in PERMISSIONS:
            raise ConfigError(f"DISPATCH_PERMISSION={permission!r} is not one of {', '.join(PERMISSIONS)}",
                              "set it to plan, acceptEdits or bypass")
        config.defaults.permission = permission
    if (base_url := env.get("DISPATCH_BASE_URL")) and "default" not in config.models:
        if problem := _url_problem(base_url):
            raise ConfigError(f"DISPATCH_BASE_URL {problem}", "set it to e.g. http://127.0.0.1:8080/v1")
        config.models["default"] = ModelConfig(
            name="default", backend="openai", base_url=base_url, api_key_env="DISPATCH_API_KEY",
            model=env.get("DISPATCH_MODEL") or "default")
        config.from_environment.add("default")
    if cc_bin := env.get("DISPATCH_CC_BIN"):
        for model in config.models.values():
            if model.backend == "claude-code" and not model.bin:
                model.bin = cc_bin


def to_dict(config: Config) -> dict[str, Any]:
    """The config as config.toml holds it: only what differs from a field's default; no model made from the
    environment or built in."""
    models: dict[str, Any] = {}
    for name, model in config.models.items():
        if name in config.from_environment or model.builtin:
            continue
        blank = ModelConfig(name=name)
        table = {f.name: getattr(model, f.name) for f in fields(ModelConfig)
                 if f.name not in ("name", "options", "builtin") and getattr(model, f.name) != getattr(blank, f.name)}
        models[name] = {**table, **model.options}
    tiers = {name: {"models": t.models, "task_types": t.task_types, "description": t.description}
             for name, t in config.tiers.items()}
    data: dict[str, Any] = {"defaults": {f.name: getattr(config.defaults, f.name) for f in fields(Defaults)}}
    if models:
        data["models"] = models
    if tiers:
        data["tiers"] = tiers
    return data


def save(config: Config, path: Path | None = None) -> Path:
    """Write the config atomically after checking that it reads back the same way; returns the path."""
    import tomli_w

    from core.fsutil import atomic_write_text

    path = path or config.path or paths.config_path()
    text = tomli_w.dumps(to_dict(config))
    _from_dict(tomllib.loads(text), path, text)
    atomic_write_text(path, text)
    config.path = path
    return path


def fresh_text(config: Config) -> str:
    """What a config.toml for this config would hold, for a file that does not exist yet."""
    import tomli_w

    return tomli_w.dumps(to_dict(config))


def with_defaults(text: str, **values: Any) -> str:
    """The config text with keys of [defaults] set, and everything else (comments, order, layout) as it was.
    A key that already reads as that value (written, or absent and at its default) is left untouched, so
    applying a form that changed nothing changes nothing."""
    import tomlkit

    _toml(text)
    document = tomlkit.parse(text)
    table = document.get("defaults", {})
    changes = {key: int(value) if isinstance(value, float) and value.is_integer() else value
               for key, value in values.items() if table.get(key, getattr(Defaults(), key)) != value}
    if not changes:
        return text
    if "defaults" not in document:
        document["defaults"] = table = tomlkit.table()
    for key, value in changes.items():
        table[key] = value
    return tomlkit.dumps(document)


def save_text(text: str, path: Path) -> Config:
    """Write config text exactly as given (the user's file, edited) after checking it by the same rules as
    `load`; returns the config it holds. Nothing is written when it does not pass."""
    from core.fsutil import atomic_write_text

    _from_dict(_toml(text, f"{path}: "), path, text)
    atomic_write_text(path, text)
    return load(path)


def parse_tables(text: str, path: Path) -> Config:
    """Models and tiers typed as TOML (the console's settings editor), checked by the same rules as the file."""
    return _from_dict(_toml(text), path, text)


def _toml(text: str, where: str = "", also: str = "") -> dict[str, Any]:
    """Parsed TOML, or a ConfigError that says where the syntax breaks and what to do."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}{exc}", f"fix the TOML syntax{', ' + also if also else ''}") from None
