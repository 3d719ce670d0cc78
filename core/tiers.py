"""Task type -> tier -> concrete models: which model a spec goes to, and why.

The table follows reference design A: quality first, cost second; two task types are never offloaded.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from core.config import Config, TierConfig, user_models
from core.errors import ConfigError, SpecRejected


@dataclass(frozen=True)
class TaskType:
    name: str
    description: str
    tier: str | None
    """The built-in tier it routes to; None when the task type is refused."""
    refusal: str = ""


TASK_TYPES = {
    t.name: t
    for t in (
        TaskType("agentic-coding", "agentic / terminal coding, multi-step CLI work", "agentic"),
        TaskType("bulk-coding", "bulk or high-volume coding", "coding"),
        TaskType("general", "drafts, classification, pre-screening, analysis of content you provide", "general"),
        TaskType("frontier-reasoning", "the hardest reasoning", None, "keep it on the primary"),
        TaskType("shipped-prose", "deliverable prose that ships", None, "deliverable prose is never offloaded"),
    )
}
DEFAULT_TASK_TYPE = "general"


@dataclass(frozen=True)
class Alias:
    task_type: str
    other: str = ""
    """The task type the word may also have meant, and when; said in a warning so the reading is never silent."""


TASK_TYPE_ALIASES = {
    **dict.fromkeys(
        ("code", "coding", "programming"), Alias("bulk-coding", "agentic-coding for multi-step work in a repository")
    ),
    "bulk": Alias("bulk-coding"),
    **dict.fromkeys(("agentic", "agent"), Alias("agentic-coding")),
    **dict.fromkeys(
        ("writing", "draft", "drafting", "copywriting"),
        Alias("general", "shipped-prose for text that ships as written (never dispatched)"),
    ),
    "research": Alias("general", "frontier-reasoning for the hardest reasoning (kept on the primary)"),
    **dict.fromkeys(
        (
            "data",
            "analysis",
            "classification",
            "summary",
            "summarisation",
            "summarization",
            "translation",
            "finance",
            "accounting",
            "sales",
            "support",
            "hr",
            "product",
        ),
        Alias("general"),
    ),
    **dict.fromkeys(
        ("ops", "operations", "devops", "infra", "sre"),
        Alias("general", "agentic-coding for work run in a terminal or a repository"),
    ),
    **dict.fromkeys(
        ("marketing", "legal", "comms", "docs", "documentation", "content"),
        Alias("general", "shipped-prose for text that ships as written (never dispatched)"),
    ),
    **dict.fromkeys(
        ("review", "reviewing", "code-review", "triage", "editing", "proofreading"),
        Alias("general", "agentic-coding to review or change code in a repository"),
    ),
    "reasoning": Alias("frontier-reasoning"),
    "prose": Alias("shipped-prose"),
}
"""Task types in ordinary words ('code', 'writing', 'research', 'data') or a domain ('ops', 'finance'), each read as
the real one it names."""


def alias_named(name: str) -> Alias | None:
    """How an alias, or a compound of words that all name one task type ('data-analysis', 'ops/infra'), is read;
    None for a real task type ('bulk-coding' is itself, though its words are aliases too), and when the words name
    none, or different ones ('code-writing' could be either, so it is not guessed)."""
    if name in TASK_TYPES:
        return None
    if alias := TASK_TYPE_ALIASES.get(name):
        return alias
    words = [word for word in re.split(r"[-_/+ ]+", name) if word]
    if len(words) < 2:
        return None
    readings = [Alias(word) if word in TASK_TYPES else TASK_TYPE_ALIASES.get(word) for word in words]
    found = [reading for reading in readings if reading is not None]
    if len(found) < len(words) or len({reading.task_type for reading in found}) != 1:
        return None
    return Alias(found[0].task_type, next((reading.other for reading in found if reading.other), ""))


def task_type_named(name: str) -> tuple[str, Alias | None]:
    """The real task type a spec or flag means by `name`, and the alias when it was one; ConfigError naming the
    nearest real one when it is neither."""
    if name in TASK_TYPES:
        return name, None
    if alias := alias_named(name):
        return alias.task_type, alias
    raise ConfigError(f"unknown task type '{name}'", unknown_task_type_fix(name))


def unknown_task_type_fix(name: str) -> str:
    """What to write instead of an unknown task type: the nearest real one by spelling or by alias, then all."""
    import difflib

    close = difflib.get_close_matches(name, [*TASK_TYPES, *TASK_TYPE_ALIASES], n=1, cutoff=0.6)
    nearest = (TASK_TYPE_ALIASES[close[0]].task_type if close[0] in TASK_TYPE_ALIASES else close[0]) if close else ""
    hint = f"did you mean {nearest}? " if nearest else ""
    return f"{hint}use one of: {', '.join(TASK_TYPES)}"


BUILTIN_TIERS = {
    "agentic": "a capable agentic coding model",
    "coding": "a coding-specialised model for bulk work",
    "general": "a general-purpose model for drafts, classification and pre-screening",
}

LOCAL_TIER = "the built-in local model on this CPU: no key, no network, small"


def effective_tiers(config: Config) -> dict[str, TierConfig]:
    """The configured tiers, or built-in ones over the user's model (DISPATCH_BASE_URL's `default` first), else
    `local`; plus a `local` tier for the built-in model unless the user defined one."""
    tiers = dict(config.tiers)
    if not tiers:
        mine = user_models(config)
        fallback = (["default"] if "default" in mine else sorted(mine)[:1]) or [
            n for n in ("local",) if n in config.models
        ]
        if fallback:
            tiers = {
                name: TierConfig(
                    name=name,
                    models=list(fallback),
                    task_types=[t.name for t in TASK_TYPES.values() if t.tier == name],
                    description=text,
                )
                for name, text in BUILTIN_TIERS.items()
            }
    if "local" in config.models:
        tiers.setdefault("local", TierConfig(name="local", models=["local"], description=LOCAL_TIER))
    return tiers


@dataclass
class Route:
    models: list[str]
    tier: str | None
    task_type: str
    reason: str
    candidates: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def refusal(task_type: str) -> str | None:
    kind = TASK_TYPES.get(task_type)
    return f"task type '{task_type}' is never dispatched: {kind.refusal}" if kind and kind.refusal else None


def resolve(
    config: Config,
    *,
    model: str | None = None,
    tier: str | None = None,
    task_type: str | None = None,
    spec_tier: str | None = None,
    spec_task_type: str | None = None,
) -> Route:
    """Choose the models to try, most specific choice first: --model, --tier, --task-type, then the spec's own."""
    tiers = effective_tiers(config)
    task_type, _ = task_type_named(task_type or spec_task_type or DEFAULT_TASK_TYPE)
    if why := refusal(task_type):
        raise SpecRejected(why, "do this work yourself, or choose another task type if this one was wrong")
    if model:
        config.model(model)
        owners = [t.name for t in tiers.values() if model in t.models]
        preferred = (
            [n for n in owners if n == (tier or spec_tier)]
            + [n for n in owners if task_type in tiers[n].task_types]
            + owners
        )
        return Route([model], preferred[0] if preferred else None, task_type, f"--model {model} given")
    chosen = tier or spec_tier
    if chosen:
        if chosen not in tiers:
            raise ConfigError(f"unknown tier '{chosen}'", f"known: {', '.join(tiers) or 'none'}; see `dispatch tiers`")
        source = "--tier" if tier else "the spec's Tier:"
        return Route(_usable(config, tiers[chosen]), chosen, task_type, f"{source} {chosen}")
    for candidate in tiers.values():
        if task_type in candidate.task_types:
            return Route(
                _usable(config, candidate),
                candidate.name,
                task_type,
                f"task type {task_type} maps to tier {candidate.name}",
            )
    raise ConfigError(
        f"no tier handles task type '{task_type}'" if tiers else "no model is configured",
        "set DISPATCH_BASE_URL to an OpenAI-compatible endpoint, or run `dispatch config init`",
    )


def _usable(config: Config, tier: TierConfig) -> list[str]:
    models = [m for m in tier.models if m in config.models]
    if not models:
        raise ConfigError(
            f"tier '{tier.name}' has no usable model ({', '.join(tier.models)} not configured)",
            "set DISPATCH_BASE_URL or define the models in config.toml",
        )
    return models
