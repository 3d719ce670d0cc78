"""`dispatch config`, `dispatch models`, `dispatch tiers`: what is configured, and a starter to begin from."""

from __future__ import annotations

import argparse
from typing import Any

from core import config as configs
from core import paths, tiers
from core.cli.output import emit_json, table
from core.errors import ExitCode, UsageError
from core.fsutil import atomic_write_text
from core.presets import PRESETS, preset_config
from core.redact import mask

STARTER = """\
# dispatch-console configuration.
# Models: one [models.NAME] table each. api_key_env names the environment variable holding the key;
# never put a key itself in this file. Prices are USD per million tokens and feed the cost figures.
#
# [models.NAME]
# backend = "openai"              # openai | local | claude-code | codex | gemini | command | web
# base_url = "http://127.0.0.1:8080/v1"
# api_key_env = "MY_PROVIDER_API_KEY"
# model = "provider-model-id"
# price_in = 0.0
# price_out = 0.0
# max_tokens = 4096
# temperature = 0.2
# timeout = 600
# rpm = 1000                      # requests a minute, shared by the items of a `dispatch batch`
# tpm = 200000                    # tokens a minute, likewise
# max_concurrency = 20            # requests in flight, likewise
#
# The built-in `local` model (llama-server on this machine) can be pointed at another .gguf:
# [models.local]
# backend = "local"
# gguf = "/models/some-instruct-model.gguf"
# context_window = 4096
#
# Tiers: an ordered fallback list of models, and the task types they serve
# (agentic-coding, bulk-coding, general; frontier-reasoning and shipped-prose are never dispatched).
#
# [tiers.general]
# models = ["NAME"]
# task_types = ["general"]
# description = "drafts, classification, pre-screening"
#
# [defaults]
# timeout = 600
# permission = "acceptEdits"      # plan | acceptEdits | bypass (agent backends)
# theme = "dispatch-dark"
#
# Spending caps in USD, each optional: one run's estimate, a UTC day, a project, one `dispatch batch`.
# [budgets]
# run = 0.50
# day = 20.0
# project = 100.0
# batch = 5.0
#
# What `dispatch prune` removes when given no --older-than: runs older than this, each project's newest kept.
# [retention]
# older_than = "90d"             # 12h, 90d, 2w
# keep_last = 1
"""


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    config = commands.add_parser("config", parents=[common], help="config init | path | show")
    sub = config.add_subparsers(dest="config_command", metavar="SUBCOMMAND", required=True)
    init = sub.add_parser(
        "init",
        parents=[common],
        help="write a commented starter config.toml",
        epilog="example: dispatch config init --preset ollama",
    )
    init.add_argument("--preset", choices=sorted(PRESETS), help="start from an endpoint you already run")
    init.add_argument("--force", action="store_true", help="overwrite an existing config.toml")
    init.set_defaults(handler=cmd_config_init)
    sub.add_parser("path", parents=[common], help="print where config.toml lives").set_defaults(handler=cmd_config_path)
    show = sub.add_parser("show", parents=[common], help="print the effective config, secrets masked")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_config_show)

    models = commands.add_parser("models", parents=[common], help="list configured models")
    models.add_argument("--json", action="store_true")
    models.set_defaults(handler=cmd_models)
    tier_cmd = commands.add_parser("tiers", parents=[common], help="list task types and tiers")
    tier_cmd.add_argument("--json", action="store_true")
    tier_cmd.set_defaults(handler=cmd_tiers)


def cmd_config_init(args: argparse.Namespace) -> int:
    path = paths.config_path()
    if path.exists() and not args.force:
        raise UsageError(f"{path} already exists", "pass --force to overwrite it, or edit it by hand")
    text = STARTER
    if args.preset:
        import tomli_w

        text += f"\n# Preset: {args.preset}\n" + tomli_w.dumps(preset_config(args.preset))
    atomic_write_text(path, text)
    configs.load(path)
    print(path)
    return ExitCode.OK


def cmd_config_path(args: argparse.Namespace) -> int:
    print(paths.config_path())
    return ExitCode.OK


def model_rows(config: configs.Config) -> list[dict[str, Any]]:
    return [
        {
            "name": m.name,
            "backend": m.backend,
            "model": m.provider_model,
            "base_url": m.base_url,
            "api_key_env": m.api_key_env,
            "api_key": mask(m.api_key()) if m.api_key_env else None,
            "price_in": m.price_in,
            "price_out": m.price_out,
            "bin": m.bin,
        }
        for m in config.models.values()
    ]


def tier_rows(config: configs.Config) -> list[dict[str, Any]]:
    rows = [
        {"name": t.name, "models": t.models, "task_types": t.task_types, "description": t.description, "refused": None}
        for t in tiers.effective_tiers(config).values()
    ]
    rows += [
        {"name": None, "models": [], "task_types": [t.name], "description": t.description, "refused": t.refusal}
        for t in tiers.TASK_TYPES.values()
        if t.refusal
    ]
    return rows


def cmd_config_show(args: argparse.Namespace) -> int:
    config = configs.load()
    data: dict[str, Any] = {
        "path": str(config.path or paths.config_path()),
        "exists": config.path is not None,
        "projects_dir": str(paths.projects_dir()),
        "defaults": vars(config.defaults),
        "models": model_rows(config),
        "tiers": tier_rows(config),
    }
    if args.json:
        emit_json(data)
        return ExitCode.OK
    print(f"config:   {data['path']}{'' if data['exists'] else ' (not created; run `dispatch config init`)'}")
    print(f"projects: {data['projects_dir']}")
    print("defaults: " + ", ".join(f"{k}={v}" for k, v in data["defaults"].items()))
    print()
    return cmd_models(args) or cmd_tiers(args)


def cmd_models(args: argparse.Namespace) -> int:
    rows = model_rows(configs.load())
    if args.json:
        emit_json(rows)
    elif not rows:
        print("no models configured: set DISPATCH_BASE_URL, or run `dispatch config init`")
    else:
        print(
            table(
                [
                    [
                        r["name"],
                        r["backend"],
                        r["model"],
                        r["base_url"] or r["bin"] or "",
                        f"{r['api_key_env']}={r['api_key']}" if r["api_key_env"] else "",
                        f"{r['price_in']:g}/{r['price_out']:g}",
                    ]
                    for r in rows
                ],
                ["NAME", "BACKEND", "MODEL", "ENDPOINT", "KEY", "$/M IN/OUT"],
            )
        )
    return ExitCode.OK


def cmd_tiers(args: argparse.Namespace) -> int:
    rows = tier_rows(configs.load())
    if args.json:
        emit_json(rows)
        return ExitCode.OK
    print(
        table(
            [
                [
                    r["name"] or "-",
                    ", ".join(r["task_types"]),
                    ", ".join(r["models"]) or "-",
                    f"refused: {r['refused']}" if r["refused"] else r["description"],
                ]
                for r in rows
            ],
            ["TIER", "TASK TYPES", "MODELS", "WHAT FOR"],
        )
    )
    return ExitCode.OK
