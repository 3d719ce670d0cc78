"""The user's configuration: models, tiers and defaults, read from config.toml and the environment.

Read with tomllib. A fresh file (`config init`, a first save) is written with tomli_w; an existing file is
edited in place with tomlkit, which keeps the user's comments, order and layout. Both are imported only there.
A model's API key is never stored here: `api_key_env` names the environment variable that holds it.

The dataclasses below are the table of keys: each field a config file may set is declared with
`key(rule, default)` (rules in core.config_rules), and one loop checks every table against them and reports
file and line. To add a key, add one line to its dataclass, e.g. in `Defaults`:

    retries: int = key(WHOLE, 2)

(with a docstring under it that says what it is for). The rules at hand: TEXT, Text(choices=..., valid=...),
Number(...), POSITIVE, WHOLE, ZERO_OR_MORE, SECONDS, FLAG, TABLE, Strings(...). A new rule kind (a regex, a path) is a small `Rule` subclass in core.config_rules. A new top-level table is a
dataclass of keys, a field on `Config`, and its name in `_SECTIONS`. A key's value reaches the code only after
its rule passed, so readers need no checks of their own. Backend kinds come from the registry in
core.backends, so `register()` adds one that config files may then name.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from core import paths
from core.config_rules import (
    AGE,
    DEEP_MODE,
    SECONDS,
    TABLE,
    TEXT,
    WHOLE,
    ZERO_OR_MORE,
    ZERO_OR_MORE_WHOLE,
    Number,
    Patterns,
    Strings,
    Text,
    check_table,
    key,
    rules,
)
from core.errors import ConfigError
from core.fsutil import TooLarge, read_text_capped

PERMISSIONS = ("plan", "acceptEdits", "bypass")
CONFIG_READ_BYTES = 2**20
"""The most of config.toml that is read: a config symlinked to /dev/zero is an error, not a hang."""


def _backend_kinds() -> list[str]:
    """The registry's names, read when a config is checked (core.backends imports this module)."""
    from core.backends import kinds

    return kinds()


def _url_problem(url: str) -> str | None:
    """Why `url` cannot be an endpoint (not http(s), no host, a bad port), or None; checked here so a typo is a
    config error naming the setting rather than a traceback from the HTTP client."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # reading it raises ValueError for a port out of range or not a number
    except ValueError as exc:
        return f"{url!r} is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not an http:// or https:// URL with a host"
    return None


def _env_name_problem(name: str) -> str | None:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        return None
    return "is not the name of an environment variable (is it a key? never put a key in this file)"


@dataclass
class ModelConfig:
    name: str
    backend: str = key(Text(choices=_backend_kinds), "openai")
    base_url: str | None = key(Text(valid=_url_problem), None)
    api_key_env: str | None = key(Text(valid=_env_name_problem), None)
    model: str | None = key(TEXT, None)
    price_in: float = key(ZERO_OR_MORE, 0.0)
    """USD per million input tokens."""
    price_out: float = key(ZERO_OR_MORE, 0.0)
    max_tokens: int | None = key(WHOLE, None)
    temperature: float | None = key(Number(), None)
    timeout: float | None = key(SECONDS, None)
    context_window: int | None = key(WHOLE, None)
    bin: str | None = key(TEXT, None)
    """Agent backends: the executable (else found on PATH)."""
    args: list[str] = key(Strings("a list of strings (quote every argument)"), [])
    """Agent backends: extra arguments; for `command`, the argv template with {prompt}."""
    env: dict[str, str] = key(TABLE, {})
    """Agent backends: extra environment for the child (values may be ${VAR} references)."""
    rpm: int | None = key(WHOLE, None)
    """Requests a minute this model takes, shared by every dispatch of one process (a batch)."""
    tpm: int | None = key(WHOLE, None)
    """Tokens (in + out) a minute, likewise."""
    max_concurrency: int | None = key(WHOLE, None)
    """Requests in flight at once, likewise."""
    options: dict[str, Any] = field(default_factory=dict)
    """Backend-specific settings (web search provider and the like): the keys no rule names, validated by the
    backend."""
    builtin: bool = False
    """Defined by dispatch itself (the `local` model), not by the user's config or environment."""

    @property
    def provider_model(self) -> str:
        return self.model or self.name

    def api_key(self) -> str | None:
        """The key the environment holds, without the whitespace a pasted or `$(cat key)` value brings along; a key
        with a control character inside was refused when the config was read (`key_problem`)."""
        value = os.environ.get(self.api_key_env) if self.api_key_env else None
        return value.strip() if value else None

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return round((input_tokens * self.price_in + output_tokens * self.price_out) / 1_000_000, 8)


@dataclass
class TierConfig:
    name: str
    models: list[str] = key(Strings("a non-empty list of model names, in order", nonempty=True))
    task_types: list[str] = key(Strings("a list of task type names"), [])
    description: str = key(TEXT, "")


MAX_CONTRACT_RETRIES = 5
"""Re-asks of one run at most (--contract-retries): a model that cannot keep a contract in a few tries will not."""


@dataclass
class Defaults:
    timeout: float = key(SECONDS, 600.0)
    permission: str = key(Text(choices=PERMISSIONS), "acceptEdits")
    theme: str = key(TEXT, "dispatch-dark")
    max_answer_chars: int = key(
        Number("a whole number from 1 to 1000000000", (int,), minimum=1, maximum=10**9), 1_000_000
    )
    """A longer answer is cut here and the run ends with reason too_large (one copy of 50 MB was 250 MB on disk)."""
    contract_retries: int = key(
        Number(f"a whole number from 0 to {MAX_CONTRACT_RETRIES}", (int,), minimum=0, maximum=MAX_CONTRACT_RETRIES), 0
    )
    """How often an answer that breaks its Output contract is re-asked in the same session (--contract-retries)."""


@dataclass
class Budgets:
    """Spending caps in USD (None: no cap). `run` caps one dispatch's estimated cost, `day` what every run of a
    UTC day spends, `project` what one project has spent in all, `batch` one `dispatch batch` (its --max-cost)."""

    run: float | None = key(ZERO_OR_MORE, None)
    day: float | None = key(ZERO_OR_MORE, None)
    project: float | None = key(ZERO_OR_MORE, None)
    batch: float | None = key(ZERO_OR_MORE, None)


@dataclass
class Redact:
    patterns: list[str] = key(Patterns(), [])
    """Extra secret shapes (regular expressions) masked like the built-in key families."""


@dataclass
class Lint:
    deep: str | None = key(DEEP_MODE, None)
    """What `dispatch lint --deep` makes of the model's questions: warnings (unset, or "warn") or, with "error",
    errors that refuse the spec (exit 3)."""


@dataclass
class Retention:
    """The default policy `dispatch prune` applies: runs older than `older_than` go, except the project's newest
    `keep_last` (the latest is what resume and review continue). No `older_than`: prune needs --older-than."""

    older_than: str | None = key(AGE, None)
    keep_last: int = key(ZERO_OR_MORE_WHOLE, 1)


@dataclass
class Config:
    models: dict[str, ModelConfig] = field(default_factory=dict)
    tiers: dict[str, TierConfig] = field(default_factory=dict)
    defaults: Defaults = field(default_factory=Defaults)
    budgets: Budgets = field(default_factory=Budgets)
    redact: Redact = field(default_factory=Redact)
    lint: Lint = field(default_factory=Lint)
    retention: Retention = field(default_factory=Retention)
    path: Path | None = None
    """The file this came from, or None when nothing was on disk."""
    from_environment: set[str] = field(default_factory=set)
    """Models made from environment variables (DISPATCH_BASE_URL); never written back to the file."""
    as_in_file: dict[str, ModelConfig] = field(default_factory=dict)
    """Models the environment added to (a [models.default] with no endpoint), as the file has them: what a save
    writes back, so DISPATCH_BASE_URL never lands in config.toml."""
    redact_patterns: list[str] = field(default_factory=list)
    """`[redact] patterns`: extra secret shapes (regular expressions) masked like the built-in key families."""

    def model(self, name: str) -> ModelConfig:
        try:
            return self.models[name]
        except KeyError:
            raise ConfigError(
                f"unknown model '{name}'", f"known: {', '.join(sorted(self.models)) or 'none'}; see `dispatch models`"
            ) from None


_SECTIONS: dict[str, tuple[type, bool]] = {
    "models": (ModelConfig, True),
    "tiers": (TierConfig, True),
    "defaults": (Defaults, False),
    "budgets": (Budgets, False),
    "redact": (Redact, False),
    "retention": (Retention, False),
    "lint": (Lint, False),
}
"""Each top-level table: its dataclass, and whether it holds named tables ([models.NAME]) or keys ([defaults])."""


def load(path: Path | None = None, environ: dict[str, str] | None = None) -> Config:
    """The config file (if any) merged with what the environment defines."""
    env = os.environ if environ is None else environ
    path = path or paths.config_path()
    config = Config()
    if path.exists():
        try:
            text = read_text_capped(path, CONFIG_READ_BYTES)
        except (OSError, UnicodeDecodeError, TooLarge) as exc:
            problem = (
                f"over {CONFIG_READ_BYTES // 2**20} MB"
                if isinstance(exc, TooLarge)
                else "not UTF-8 text"
                if isinstance(exc, UnicodeDecodeError)
                else exc.strerror or str(exc)
            )
            raise ConfigError(
                f"cannot read config {path}: {problem}",
                "make it a UTF-8 TOML file, or move it away and run `dispatch config init`",
            ) from None
        config = _from_dict(
            _toml(text, f"{path}: ", "or move the file away and run `dispatch config init`"), path, text
        )
        config.path = path
    _apply_environment(config, env)
    if refused := key_problem(config, env):
        raise refused
    config.models.setdefault("local", builtin_local())
    return config


def builtin_local() -> ModelConfig:
    """The model that works with no key and no config: Qwen2.5-Coder-0.5B-Instruct in llama.cpp's server on this
    machine, at temperature 0 (a small model's best guess is its most likely one)."""
    return ModelConfig(
        name="local", backend="local", model="local", context_window=4096, max_tokens=512, temperature=0.0, builtin=True
    )


def user_models(config: Config) -> list[str]:
    """The models the user defined (config file or DISPATCH_BASE_URL), in order, without the built-in ones."""
    return [name for name, model in config.models.items() if not model.builtin]


def _from_dict(data: dict[str, Any], path: Path, text: str) -> Config:
    def fail(what: str, header: str | None, key: str | None = None) -> ConfigError:
        line = _line_of(text, header, key) if header else 1
        return ConfigError(f"{path}:{line}: {what}", "fix it, or see `dispatch config init` for a commented example")

    if unknown := sorted(set(data) - set(_SECTIONS)):
        raise fail(f"unknown table '{unknown[0]}' (expected {', '.join(_SECTIONS)})", unknown[0])
    config = Config()
    for section, (kind, named) in _SECTIONS.items():
        raw = data.get(section, {})
        if not isinstance(raw, dict):
            raise fail(f"{section} must be a table ([{section}...] headers), not a {type(raw).__name__}", None)
        for name, table in raw.items() if named else [(None, raw)]:
            where = section if name is None else f"{section}.{name}"
            header = rf"\[{section}\]" if name is None else rf"\[{section}\.\"?{re.escape(name)}\"?\]"
            if not isinstance(table, dict):
                raise fail(f"[{where}] must be a table", header)
            if wrong := check_table(kind, table):
                raise fail(f"{where}.{wrong[0]} {wrong[1]}", header, wrong[0])
            if kind is ModelConfig:
                if problem := _model_problem(table):
                    raise fail(f"{where}{problem[1]}", header, problem[0])
            elif extra := sorted(set(table) - set(rules(kind))):
                raise fail(f"{where} has unknown key '{extra[0]}'", header, extra[0])
            _build(config, section, name, table)
    for tier in config.tiers.values():
        for model in tier.models:
            if model not in config.models and model not in ("default", "local"):
                raise fail(
                    f"tiers.{tier.name} names model '{model}', which is not defined under [models]",
                    rf"\[tiers\.\"?{re.escape(tier.name)}\"?\]",
                )
    return config


def _model_problem(table: dict[str, Any]) -> tuple[str | None, str] | None:
    """What the rules cannot see in a [models.NAME] table: a key stored in the file, web options that do not
    parse, or a key no rule names on a backend that has none of its own ('base_ulr', a typo, was ignored and the
    model then had no endpoint); as (the key to point at, the message after the table's name)."""
    if "api_key" in table:
        return "api_key", " holds an api_key: store only api_key_env, the name of an environment variable"
    from core.local import OPTIONS
    from core.web import mode as web_mode
    from core.web import settings as web_settings

    backend = table.get("backend", "openai")
    options = _options(table)
    own = OPTIONS if backend == "local" else frozenset()
    web = web_settings.KEYS if backend in web_mode.WEB_CAPABLE else frozenset()
    if extra := sorted(set(options) - own - web):
        known = ", ".join(sorted(own | web))
        return extra[0], f" has unknown key '{extra[0]}'" + (
            f" (known for backend {backend}: {known})" if known else ""
        )
    if backend == "web" or set(options) & web:
        try:  # a web model's own settings, and those a chat model uses in --mode web
            web_settings.parse({key: value for key, value in options.items() if key in web})
        except ValueError as exc:
            return None, f": {exc}"
    return None


def _options(table: dict[str, Any]) -> dict[str, Any]:
    """A model's keys that no rule names: settings for its backend alone."""
    return {k: v for k, v in table.items() if k not in rules(ModelConfig)}


def _build(config: Config, section: str, name: str | None, table: dict[str, Any]) -> None:
    """Put one checked table into `config`: a named one into its section's dict, else as the section itself."""
    kind = _SECTIONS[section][0]
    keys = {k: v for k, v in table.items() if k in rules(kind)}
    if name is None:
        setattr(config, section, kind(**keys))
    else:
        options = {"options": _options(table)} if kind is ModelConfig else {}
        getattr(config, section)[name] = kind(name=name, **keys, **options)


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


def key_problem(config: Config, env: os._Environ[str] | dict[str, str]) -> ConfigError | None:
    """A model's key that could not be sent as written: a newline or another control character inside it (a key
    pasted across two lines). It would fail in the request header after the first half had been shown in the
    HTTP library's error, escaped where no mask finds it; so it is refused before anything is sent or kept."""
    for model in config.models.values():
        value = env.get(model.api_key_env or "", "").strip()
        if any(ord(char) < 32 or ord(char) == 127 for char in value):
            return ConfigError(
                f"{model.api_key_env} holds a control character (a line break?) inside the key of model '{model.name}'",
                f"set {model.api_key_env} to the key alone, on one line",
            )
    return None


def _apply_environment(config: Config, env: os._Environ[str] | dict[str, str]) -> None:
    """DISPATCH_BASE_URL alone defines a working model named `default`, as in the reference designs."""
    if timeout := env.get("DISPATCH_TIMEOUT"):
        try:
            seconds = float(timeout)
        except ValueError:
            seconds = math.nan
        if SECONDS.problem(seconds):
            raise ConfigError(f"DISPATCH_TIMEOUT={timeout!r} is not {SECONDS.expects}", "set it to e.g. 600")
        config.defaults.timeout = seconds
    if permission := env.get("DISPATCH_PERMISSION"):
        permission = {"dangerously-skip-permissions": "bypass", "bypassPermissions": "bypass"}.get(
            permission, permission
        )
        if permission not in PERMISSIONS:
            raise ConfigError(
                f"DISPATCH_PERMISSION={permission!r} is not one of {', '.join(PERMISSIONS)}",
                "set it to plan, acceptEdits or bypass",
            )
        config.defaults.permission = permission
    given = config.models.get("default")
    if (base_url := env.get("DISPATCH_BASE_URL")) and (
        given is None or (given.backend, given.base_url) == ("openai", None)
    ):
        if problem := _url_problem(base_url):
            raise ConfigError(f"DISPATCH_BASE_URL {problem}", "set it to e.g. http://127.0.0.1:8080/v1")
        if given is None:
            config.models["default"] = ModelConfig(name="default")
            config.from_environment.add("default")
        else:
            config.as_in_file["default"] = replace(given, options=dict(given.options))
        # A [models.default] table with no endpoint (a price, a timeout) adds to the model the environment defines.
        model = config.models["default"]
        model.base_url = base_url
        model.api_key_env = model.api_key_env or "DISPATCH_API_KEY"
        model.model = model.model or env.get("DISPATCH_MODEL") or "default"
    if cc_bin := env.get("DISPATCH_CC_BIN"):
        for model in config.models.values():
            if model.backend == "claude-code" and not model.bin:
                model.bin = cc_bin


def to_dict(config: Config) -> dict[str, Any]:
    """The config as config.toml holds it: keyed tables in full, models only where they differ from a field's
    default; no model made from the environment or built in."""
    data: dict[str, Any] = {
        section: keys
        for section, (_, named) in _SECTIONS.items()
        if not named and (keys := _keys(getattr(config, section)))
    }
    models = {
        name: {**_keys(model, ModelConfig(name=name)), **model.options}
        for name, model in ((name, config.as_in_file.get(name, model)) for name, model in config.models.items())
        if name not in config.from_environment and not model.builtin
    }
    if models:
        data["models"] = models
    if config.tiers:
        data["tiers"] = {name: _keys(tier) for name, tier in config.tiers.items()}
    return data


def _keys(table: object, blank: object = None) -> dict[str, Any]:
    """A table's settable keys that have a value (TOML has no null), without those equal to `blank`'s."""
    return {
        k: getattr(table, k)
        for k in rules(type(table))
        if getattr(table, k) is not None and (blank is None or getattr(table, k) != getattr(blank, k))
    }


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
    changes = {
        name: int(value) if isinstance(value, float) and value.is_integer() else value
        for name, value in values.items()
        if table.get(name, getattr(Defaults(), name)) != value
    }
    if not changes:
        return text
    if "defaults" not in document:
        document["defaults"] = table = tomlkit.table()
    for name, value in changes.items():
        table[name] = value
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
    except RecursionError:
        raise ConfigError(
            f"{where}values are nested too deeply to read",
            f"no setting nests more than a few levels{', ' + also if also else ''}",
        ) from None
