"""`dispatch lint` and `dispatch spec new`: the checklist, before anything is sent."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from core import config as configs
from core import spec as specs
from core import tiers
from core.checklist.target import target_of
from core.cli.output import emit_json, read_text_arg
from core.errors import ExitCode, UsageError
from core.inputs import Inputs, gather
from core.redact import Redactor


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    lint = commands.add_parser(
        "lint",
        parents=[common],
        help="check a spec against the dispatch checklist",
        description="Print checklist findings: rule, severity, line, message, how to fix. "
        "Exit 0 clean, 1 warnings only, 3 errors.",
        epilog="example: dispatch lint --spec task.md --cwd ~/repo",
    )
    lint.add_argument("--spec", metavar="FILE", required=True, help="the spec; - reads stdin")
    lint.add_argument("--cwd", type=Path, help="directory that input paths are checked under (default: here)")
    lint.add_argument(
        "--model",
        help="check for the reader this model is (an agent may be pointed at paths in a "
        "repo; a stateless model needs the material itself); default: the spec's route",
    )
    lint.add_argument("--tier", help="check for the first model of this tier")
    lint.add_argument(
        "--mode", choices=("chat", "web"), default="chat", help="web: a web-research run may be given URLs"
    )
    lint.add_argument(
        "--deep",
        action="store_true",
        help="also ask the general tier's model which questions a contractor would still have (warnings "
        'naming the model; errors only with [lint] deep = "error" in the config)',
    )
    lint.add_argument("--json", action="store_true", help="print findings as JSON")
    lint.set_defaults(handler=cmd_lint)

    spec = commands.add_parser("spec", parents=[common], help="spec helpers (spec new)")
    sub = spec.add_subparsers(dest="spec_command", metavar="SUBCOMMAND", required=True)
    new = sub.add_parser(
        "new",
        parents=[common],
        help="print the spec template",
        epilog="example: dispatch spec new --task-type bulk-coding > task.md",
    )
    new.add_argument("--task-type", choices=list(tiers.TASK_TYPES), help="fill in the Task type line")
    new.set_defaults(handler=cmd_spec_new)


def cmd_lint(args: argparse.Namespace) -> int:
    text = read_text_arg(args.spec)
    cwd = (args.cwd or Path.cwd()).resolve()
    if not cwd.is_dir():
        raise UsageError(f"--cwd {cwd} is not a directory", "pass an existing directory")
    findings, inputs = lint_findings(text, cwd, model=args.model, tier=args.tier, mode=args.mode)
    enforced = contract_of(text, cwd)
    if args.deep:
        import asyncio

        from core.checklist import deep

        findings += asyncio.run(deep.findings(configs.load(), text, cwd))
    code = ExitCode.SPEC_REJECTED if specs.has_errors(findings) else (1 if findings else ExitCode.OK)
    source = "<stdin>" if args.spec == "-" else args.spec
    if args.json:
        emit_json(
            {
                "source": source,
                "ok": not findings,
                "findings": [f.to_dict() for f in findings],
                "inputs": inputs.summary(),
                "input_tokens": inputs.tokens,
                "contract": enforced,
            }
        )
    else:
        for finding in findings:
            print(finding.one_line(source))
        if not findings:
            print(f"{source}: clean")
        for file in inputs.files:
            print(f"{source}: input {file.path}: {file.size} bytes, ~{file.tokens} tokens")
        if inputs.files:
            print(f"{source}: a stateless model would be sent {len(inputs.files)} input files, ~{inputs.tokens} tokens")
        for check in enforced:
            said = f"unchecked ({check['unchecked']})" if "unchecked" in check else f"checks {check['rule']}"
            print(f"{source}: contract: {check['source']!r} -> {said}")
    return int(code)


def contract_of(text: str, cwd: Path) -> list[dict[str, str]]:
    """The checks the Output section promises, as the run will enforce them (the checklist warns when there are
    none: unchecked-output)."""
    from core import contract

    return contract.derive(specs.parse(text).get("output"), cwd=cwd).describe()


def lint_findings(
    text: str, cwd: Path, *, model: str | None = None, tier: str | None = None, mode: str = "chat"
) -> tuple[list[specs.Finding], Inputs]:
    """The checklist against the configured tiers and the known task types, for the reader the spec's route (or
    `model` / `tier` / `mode`) reaches, plus the input files a stateless model would be sent and their findings, as
    `lint` (and the MCP door) report them."""
    config = configs.load()
    known_tiers = set(tiers.effective_tiers(config)) or None
    reader = target_of(config, text, model=model, tier=tier, mode=mode)
    findings = specs.lint(text, cwd=cwd, known_task_types=set(tiers.TASK_TYPES), known_tiers=known_tiers, target=reader)
    inputs = gather(text, cwd, Redactor.from_environment())
    return sorted(
        [*findings, *inputs.findings], key=lambda f: (f.line, f.severity != specs.Severity.ERROR, f.rule)
    ), inputs


def cmd_spec_new(args: argparse.Namespace) -> int:
    print(specs.template(args.task_type), end="")
    return ExitCode.OK
