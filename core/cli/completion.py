"""`dispatch completion bash|zsh|fish`: completion for commands, flags, flag choices, slugs, run ids, models, tiers.

Each shell's script is a thin wrapper that calls `dispatch completion --complete WORD...` with the words typed so
far (the last one the word being completed), so the knowledge lives once, here, read from the real parser and the
projects dir and the config. That call is read-only and light: it imports the one command's module and lists
directories (and reads the config only to complete --model and --tier).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

from core import paths
from core.audit.store import LOGS, RESULT_SUFFIX
from core.errors import ExitCode

SCRIPTS = {
    "bash": """\
# dispatch completion for bash: eval "$(dispatch completion bash)" in ~/.bashrc
_dispatch_complete() {
    local IFS=$'\\n'
    COMPREPLY=($(dispatch completion --complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _dispatch_complete dispatch
""",
    "zsh": """\
#compdef dispatch
# dispatch completion for zsh: source <(dispatch completion zsh) in ~/.zshrc, after compinit
_dispatch_complete() {
    local -a candidates
    candidates=("${(@f)$(dispatch completion --complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")
    compadd -a candidates
}
(( $+functions[compdef] )) && compdef _dispatch_complete dispatch
""",
    "fish": """\
# dispatch completion for fish: dispatch completion fish > ~/.config/fish/completions/dispatch.fish
function __dispatch_complete
    set -l words (commandline -opc)
    set -e words[1]
    dispatch completion --complete $words (commandline -ct | string collect)
end
complete -c dispatch -f -a '(__dispatch_complete)'
""",
}
SLUG_FLAGS = ("--slug", "--project")
CONFIG_FLAGS = ("--model", "--tier")
MOST = 200
"""At most this many candidates (a shell shows them all; a trail can hold thousands of run ids)."""


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "completion",
        parents=[common],
        help="print a shell completion script",
        description="Print the completion script for SHELL; it completes commands, flags, "
        "flag values, project slugs and run ids.",
        epilog='example: eval "$(dispatch completion bash)"',
    )
    parser.add_argument("shell", nargs="?", choices=tuple(SCRIPTS), help="bash, zsh or fish")
    parser.add_argument("--complete", nargs=argparse.REMAINDER, metavar="WORD", help=argparse.SUPPRESS)
    parser.set_defaults(handler=cmd_completion)


def cmd_completion(args: argparse.Namespace) -> int:
    from core.errors import UsageError

    if args.complete is not None:
        words = args.complete or [""]
        if found := sorted(set(candidates(words[:-1], words[-1])))[:MOST]:
            print("\n".join(found))
        return ExitCode.OK
    if not args.shell:
        raise UsageError("name a shell: bash, zsh or fish", 'e.g. eval "$(dispatch completion bash)"')
    print(SCRIPTS[args.shell], end="")
    return ExitCode.OK


def candidates(before: list[str], current: str) -> Iterator[str]:
    """What may stand in place of `current`, given the words before it (the program name not included)."""
    from core.cli import COMMANDS, build_parser

    command = next((word for word in before if not word.startswith("-")), None)
    if command is None:
        if current.startswith("-"):
            yield from _prefixed(["--no-ui", "--version", "--help"], current)
        else:
            yield from _prefixed(COMMANDS, current)
        return
    if command not in COMMANDS:
        return
    parser = _subparser(build_parser([command]), command)
    for word in before[before.index(command) + 1 :]:  # `audit verify`, `config init`: their own flags
        parser = _nested(parser, word) or parser
    previous = before[-1] if before else ""
    wanted = next((a for a in parser._actions if previous in a.option_strings), None)
    if previous in SLUG_FLAGS:
        yield from _prefixed(slugs(), current)
    elif previous in CONFIG_FLAGS:
        yield from _prefixed(configured(previous), current)
    elif wanted is not None and wanted.nargs != 0:
        yield from _prefixed([str(c) for c in wanted.choices or ()], current)
    elif current.startswith("-"):
        yield from _prefixed(
            [o for a in parser._actions if a.help != argparse.SUPPRESS for o in a.option_strings], current
        )
    else:
        for action in parser._actions:
            if not action.option_strings and action.choices:
                yield from _prefixed([str(c) for c in action.choices], current)
        if command == "show":
            slug = next((b for a, b in zip(before, before[1:], strict=False) if a in SLUG_FLAGS), None)
            yield from _prefixed(run_ids(slug), current)


def _subparser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser:
    found = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    sub: argparse.ArgumentParser = found.choices[command]
    return sub


def _nested(parser: argparse.ArgumentParser, word: str) -> argparse.ArgumentParser | None:
    """The sub-command parser `word` names under `parser`, if it has sub-commands and that is one."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and word in action.choices:
            found: argparse.ArgumentParser = action.choices[word]
            return found
    return None


def _prefixed(words: Any, prefix: str) -> Iterator[str]:
    return (word for word in words if word.startswith(prefix))


def slugs() -> list[str]:
    """The projects there are: directories of the projects dir holding a project.json."""
    base = paths.projects_dir()
    try:
        return [d.name for d in base.iterdir() if (d / LOGS / "project.json").is_file()]
    except OSError:
        return []


def run_ids(slug: str | None) -> list[str]:
    """Run ids of one project, or of every project when none is named on the line."""
    pattern = f"{slug or '*'}/{LOGS}/*{RESULT_SUFFIX}"
    return [p.name[: -len(RESULT_SUFFIX)] for p in paths.projects_dir().glob(pattern)]


def configured(flag: str) -> list[str]:
    """The model or tier names the config defines (nothing when it cannot be read: completion never complains)."""
    from core import config
    from core.errors import ConfigError

    try:
        loaded = config.load()
    except (ConfigError, OSError):
        return []
    return list(loaded.models if flag == "--model" else loaded.tiers)
