"""Format checks: the answer parses as what the contract names (JSON, JSON Lines, YAML, TOML, CSV/TSV, a fenced
code block, a unified diff, a Markdown table or list, plain text), with the real parser of each.

A format may come inside one fenced block or, unless the contract says "only", with prose around it: the value is
then looked for in the fences first. "Only"/"nothing else" is a check of its own (only_format)."""

from __future__ import annotations

import ast
import csv
import io
import itertools
import json
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core import pattern_cache
from core.contract.check import Test, Verdict
from core.contract.reply import Reply

Parser = Callable[[str], Any]

UNREADABLE = (ValueError, RecursionError)
"""What a parser raises on an answer it cannot read: ValueError for bad syntax, RecursionError for one nested past
the interpreter's limit (json and PyYAML recurse per level), which must be a failed check, never a crash."""


def _yaml(text: str) -> Any:
    """PyYAML's safe loader in Python, not libyaml's CSafeLoader: that one is ~10x faster but kills the process
    (a segfault) on an answer nested 100,000 deep, where this one raises RecursionError."""
    import yaml

    return yaml.safe_load(text)


def _jsonl(text: str) -> list[Any]:
    values = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                values.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"line {number}: {exc.msg} (column {exc.colno})") from None
    if not values:
        raise ValueError("no lines")
    return values


PARSERS: dict[str, tuple[Parser, tuple[str, ...]]] = {
    "json": (json.loads, ("json", "")),
    "jsonl": (_jsonl, ("jsonl", "ndjson", "json", "")),
    "yaml": (_yaml, ("yaml", "yml", "")),
    "toml": (tomllib.loads, ("toml", "")),
}
"""A format's parser and the fence tags its value may come in."""
NAMES = {"json": "JSON", "jsonl": "JSON Lines", "yaml": "YAML", "toml": "TOML", "csv": "CSV", "tsv": "TSV"}


def _why(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


EMBEDDED_TRIES = 16
"""Brackets at which JSON inside prose is looked for: a failed try costs time in proportion to where it starts (the
error's line and column are counted), so trying every bracket of a 2 MB answer of them took 12 minutes."""


def parse(reply: Reply, fmt: str) -> tuple[Any, str, str | None]:
    """(value, where it was found, None) or (None, '', why it does not parse)."""
    parser, tags = PARSERS[fmt]
    try:
        return parser(reply.payload), "the answer", None
    except Exception as exc:  # any parser's error is the finding, in its own words
        why = _why(exc)
    for fence in reply.fences:
        if fence.lang in tags:
            try:
                return parser(fence.body), f"a ```{fence.lang or 'fenced'} block", None
            except Exception:
                continue
    if fmt == "json":
        starts = (m.start() for m in re.finditer(r"[\[{]", reply.text))
        for start in itertools.islice(starts, EMBEDDED_TRIES):
            try:
                return json.JSONDecoder().raw_decode(reply.text, start)[0], "the answer, with prose around it", None
            except UNREADABLE:
                continue
    return None, "", why


def _shape(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean"}.get(type(value), type(value).__name__)


def structured(fmt: str, container: str | None) -> Test:
    """The answer parses as `fmt`; `container` ('object' or 'array') is the top-level shape asked for."""

    def test(reply: Reply) -> Verdict:
        value, where, why = parse(reply, fmt)
        if why is not None:
            return False, f"not valid {NAMES[fmt]}: {why}"
        if fmt == "yaml" and isinstance(value, str) and container is None and "\n" not in reply.payload.strip():
            return False, "not YAML: the answer is a single plain string"
        if container is not None and fmt != "jsonl" and _shape(value) != container:
            return False, f"valid {NAMES[fmt]}, but a top-level {_shape(value)} where {container} was asked"
        return True, f"valid {NAMES[fmt]} {_shape(value)} in {where}"

    return test


def keys(fmt: str, wanted: list[str], each: bool) -> Test:
    """The parsed object (or, with `each`, every object of the array) has these keys."""

    def test(reply: Reply) -> Verdict:
        value, _, why = parse(reply, fmt)
        if why is not None:
            return False, f"not valid {NAMES[fmt]}, so its keys cannot be read"
        objects = value if each and isinstance(value, list) else [value]
        for index, item in enumerate(objects):
            if not isinstance(item, dict):
                return False, f"{'item ' + str(index) if each else 'the value'} is a {_shape(item)}, not an object"
            missing = [key for key in wanted if key not in item]
            if missing:
                where = f"item {index} " if each and isinstance(value, list) else ""
                return False, f"{where}lacks the key{'s' * (len(missing) > 1)} {', '.join(missing)}"
        return True, f"has {', '.join(wanted)}" + (f" in all {len(objects)} items" if each else "")

    return test


DELIMITERS = {"csv": ",", "tsv": "\t"}


def delimited(fmt: str, header: list[str] | None) -> Test:
    """A CSV or TSV table (every row as wide as the first), with `header` as its first row when one is named."""
    delimiter, name = DELIMITERS[fmt], NAMES[fmt]

    def test(reply: Reply) -> Verdict:
        try:
            rows = [row for row in csv.reader(io.StringIO(reply.payload), delimiter=delimiter, strict=True) if row]
        except csv.Error as exc:
            return False, f"not {name}: {exc}"
        if not rows:
            return False, f"no {name} rows"
        widths = {len(row) for row in rows}
        if len(widths) > 1 or widths == {1}:
            bad = next((n for n, row in enumerate(rows, 1) if len(row) != len(rows[0])), 1)
            return False, f"not {name}: rows have {sorted(widths)} fields (first odd one: row {bad})"
        if header is not None:
            got = [cell.strip().lower() for cell in rows[0]]
            if got != [cell.lower() for cell in header]:
                return False, f"the header is {delimiter.join(rows[0])!r}, not {delimiter.join(header)!r}"
        return True, f"{name}, {len(rows[0])} columns, {len(rows) - (header is not None)} rows"

    return test


_PY_TAGS = {"python", "py", "python3"}


def code_block(lang: str | None, count: int | None) -> Test:
    """Fenced code blocks (in `lang`, if named; exactly `count` of them, if given); Python must parse."""

    def test(reply: Reply) -> Verdict:
        tags = _PY_TAGS if lang == "python" else {lang} if lang else None
        blocks = [f for f in reply.fences if tags is None or f.lang in tags or not f.lang]
        wrong = [f.lang for f in reply.fences if f not in blocks]
        if not blocks:
            said = f" (found {', '.join(sorted(set(wrong)))} blocks)" if wrong else ""
            return False, f"no fenced {lang + ' ' if lang else ''}code block{said}"
        if count is not None and len(blocks) != count:
            return False, f"{len(blocks)} {lang + ' ' if lang else ''}code blocks, not {count}"
        if lang == "python":
            for block in blocks:
                try:
                    ast.parse(block.body)
                except SyntaxError as exc:
                    return False, f"the Python block does not parse: {exc.msg} at line {exc.lineno}"
        return True, f"{len(blocks)} {lang + ' ' if lang else ''}code block{'s' * (len(blocks) > 1)}"

    return test


def only(shape: str) -> Test:
    """Nothing but the asked-for thing. `shape` is what the contract names: a format (the whole answer, or the one
    fence that is all of it, parses as it), a code block (one fence, no prose around it), or a list (every line an
    item)."""
    table = delimited(shape, None) if shape in DELIMITERS else None

    def whole(reply: Reply) -> bool:
        if shape in PARSERS:
            return parse(reply, shape)[1] == "the answer"
        return table is not None and table(reply)[0]

    def test(reply: Reply) -> Verdict:
        if shape == "list":
            stray = [line for line in reply.text.splitlines() if line.strip() and not _LIST_ITEM.match(line)]
            if stray:
                return False, f"a line that is not a list item: {stray[0].strip()[:80]!r}"
            return True, "the list and nothing else"
        if whole(reply):
            return True, f"the answer is {NAMES.get(shape, shape)} and nothing else"
        if not reply.fences:
            return False, f"the answer is not {NAMES.get(shape, 'one block')} alone"
        if reply.prose:
            first = reply.prose.splitlines()[0].strip()
            return False, f"prose outside the block: {first[:80]!r}"
        if len(reply.fences) > 1:
            return False, f"{len(reply.fences)} blocks where one was asked"
        return True, "the block and nothing else"

    return test


_LIST_ITEM = pattern_cache.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+\S")


_HUNK = pattern_cache.compile(r"^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@", re.MULTILINE)


def diff_text(reply: Reply) -> str:
    for fence in reply.fences:
        if fence.lang in ("diff", "patch") or _HUNK.search(fence.body):
            return fence.body.strip("\n") + "\n"
    return reply.payload.strip("\n") + "\n"


def unified_diff(cwd: Path | None) -> Test:
    """A unified diff with file headers and hunks; when `cwd` is in a git repo, one that `git apply --check` accepts
    there."""

    def test(reply: Reply) -> Verdict:
        from core.worktree import repo_of

        text = diff_text(reply)
        files = re.findall(r"^\+\+\+ (\S+)", text, re.MULTILINE)
        if not re.search(r"^--- \S", text, re.MULTILINE) or not files or not _HUNK.search(text):
            return False, "not a unified diff: it needs ---/+++ file headers and @@ hunks"
        repo = repo_of(cwd) if cwd is not None else None
        if repo is None:
            return True, f"a unified diff of {len(files)} file{'s' * (len(files) > 1)} (no repo to apply it to)"
        return _applies(text, repo, len(files))

    return test


def _applies(text: str, repo: Path, files: int) -> Verdict:
    import tempfile

    from core.worktree import GitError, git

    with tempfile.NamedTemporaryFile("w", suffix=".diff", encoding="utf-8") as patch:
        patch.write(text)
        patch.flush()
        try:
            done = git(["apply", "--check", "--recount", patch.name], repo, check=False)
        except GitError as exc:
            return False, f"could not try the diff: {exc}"
    if done.returncode != 0:
        said = [line for line in done.stderr.splitlines() if line.strip()]
        return False, f"does not apply to {repo}: {said[0] if said else 'git apply refused it'}"
    return True, f"applies cleanly to {repo} ({files} file{'s' * (files > 1)})"


_TABLE_RULE = pattern_cache.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def markdown_table(columns: list[str] | None) -> Test:
    def test(reply: Reply) -> Verdict:
        lines = reply.payload.splitlines()
        for index in range(1, len(lines)):
            if _TABLE_RULE.match(lines[index]) and "|" in lines[index - 1]:
                header = _cells(lines[index - 1])
                rows = [line for line in lines[index + 1 :] if "|" in line]
                if columns is not None and [c.lower().strip("`*") for c in header] != [c.lower() for c in columns]:
                    return False, f"the table's columns are {', '.join(header)}, not {', '.join(columns)}"
                return True, f"a Markdown table, {len(header)} columns, {len(rows)} rows"
        return False, "no Markdown table (a | header | row, a |---| rule, then rows)"

    return test


def listing(kind: str) -> Test:
    def test(reply: Reply) -> Verdict:
        items = reply.bullets if kind == "bullet" else reply.numbered
        if not items:
            return False, f"no {kind} list items ({'- item' if kind == 'bullet' else '1. item'} lines)"
        return True, f"{len(items)} {kind} items"

    return test


def plain_text(reply: Reply) -> Verdict:
    if reply.fences:
        return False, "has a fenced block"
    if re.search(r"^\s*#{1,6}\s|^\s*\|.*\|\s*$", reply.text, re.MULTILINE):
        return False, "has Markdown headings or tables"
    return True, "plain text"
