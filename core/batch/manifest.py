"""What a batch is made of: spec files, globs and directories, JSONL or CSV manifests, or a template filled
from rows. Reading never stops at the first bad line: each item that cannot be made carries its `problem`,
so every rejection is reported together before anything is sent.

A manifest row has `spec` (a path, relative to the manifest, or the spec's text) or `prompt`, and optionally
`slug`, `model`, `tier`, `task_type` and `vars`. In a CSV every other column is a var. Vars fill `{name}`
placeholders: in a template (`--template`) every placeholder must be filled (`{{` and `}}` are literal
braces); in a row's own spec only the placeholders named by its vars are.
"""

from __future__ import annotations

import csv
import glob
import io
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core import spec as specs
from core.audit.store import SLUG, slug_from
from core.errors import UsageError
from core.spec import SPEC_READ_BYTES
from core.user_text import is_utf8, read_named

FIELDS = ("spec", "prompt", "slug", "model", "tier", "task_type", "vars")
SPEC_SUFFIXES = (".md", ".markdown", ".txt")
MAX_FIELD = 16 * 1024 * 1024
"""The largest CSV cell read (the csv module's default of 128 KiB is smaller than some specs)."""
MANIFEST_READ_BYTES = 256 * 2**20
"""The most of a manifest or template that is read: a manifest of /dev/zero is refused, not read forever."""
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class Item:
    """One dispatch of a batch, as recorded in its manifest (so a resume runs exactly this)."""

    index: int
    """1-based position in the batch."""
    source: str
    """Where it came from, for messages: a path, or manifest:line."""
    spec_text: str = ""
    prompt: str | None = None
    slug: str | None = None
    model: str | None = None
    tier: str | None = None
    task_type: str | None = None
    problem: str | None = None
    """Why this item cannot be dispatched, found while reading; None when it can."""
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """What is linted and routed: the spec, else the prompt standing alone."""
        return self.spec_text if self.spec_text.strip() else (self.prompt or "")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def from_paths(arguments: list[str]) -> list[Item]:
    """Spec files, globs, directories (their spec files, sorted) and manifests, in the order given."""
    items: list[Item] = []
    for argument in arguments:
        for path in _expand(argument):
            if path.suffix.lower() == ".jsonl":
                rows = _jsonl_rows(path)
            elif path.suffix.lower() == ".csv":
                rows = _csv_rows(path)
            else:
                items.append(_spec_file_item(len(items) + 1, path))
                continue
            items.extend(_row_item(len(items) + n, where, row, path.parent) for n, (where, row) in enumerate(rows, 1))
    return _numbered(items)


def from_template(template_path: Path, rows_path: Path) -> list[Item]:
    """One item per row of a CSV or JSONL file, the template's placeholders filled from the row."""
    template = _read(template_path, "template")
    rows = _jsonl_rows(rows_path) if rows_path.suffix.lower() == ".jsonl" else _csv_rows(rows_path)
    return _numbered(
        [
            _row_item(number, where, row, rows_path.parent, template=template)
            for number, (where, row) in enumerate(rows, 1)
        ]
    )


def fill(text: str, values: dict[str, Any], strict: bool) -> tuple[str, list[str]]:
    """Text with `{name}` placeholders filled; returns it and the names that had no value (strict only)."""
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        token, name = match.group(0), match.group(1)
        if name is None:
            return token[0] if strict else token
        if name in values:
            return str(values[name])
        if strict:
            missing.append(name)
        return token

    return _PLACEHOLDER.sub(replace, text), missing


def assign_slugs(items: list[Item]) -> None:
    """Give every item without a slug one made from its goal; items whose goals make the same slug get -2, -3...,
    so they run in parallel as different projects. A slug given in the manifest is kept: such items run in order."""
    taken = {item.slug for item in items if item.slug}
    seen: dict[str, int] = {}
    for item in items:
        if item.slug or item.problem:
            continue
        base = slug_from(specs.goal_of(item.text))
        count = seen.get(base, 0) + 1
        seen[base] = count
        candidate = base if count == 1 and base not in taken else f"{base[:58]}-{count}"
        while candidate in taken:
            count += 1
            candidate = f"{base[:58]}-{count}"
        seen[base] = count
        item.slug = candidate
        taken.add(candidate)


def _numbered(items: list[Item]) -> list[Item]:
    for number, item in enumerate(items, 1):
        item.index = number
    return items


def _expand(argument: str) -> list[Path]:
    path = Path(argument)
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SPEC_SUFFIXES)
        if not found:
            raise UsageError(f"no spec files (*.md, *.txt) in directory {argument}", "pass spec files or a manifest")
        return found
    if path.exists():
        return [path]
    if glob.has_magic(argument):
        found = sorted(Path(p) for p in glob.glob(argument, recursive=True) if Path(p).is_file())
        if not found:
            raise UsageError(f"no file matches {argument!r}", "check the pattern")
        return found
    raise UsageError(
        f"no such file or directory: {argument}", "pass spec files, a directory, or a .jsonl/.csv manifest"
    )


def _read(path: Path, what: str) -> str:
    if what == "spec":
        return read_named(path, what, str(path), SPEC_READ_BYTES, "pass UTF-8 Markdown spec files")
    fix = "check the path; save it as UTF-8; split a huge one in several"
    return read_named(path, what, str(path), MANIFEST_READ_BYTES, fix)


def _spec_file_item(number: int, path: Path) -> Item:
    try:
        return Item(number, str(path), spec_text=_read(path, "spec"))
    except UsageError as exc:
        return Item(number, str(path), problem=exc.message)


def _jsonl_rows(path: Path) -> list[tuple[str, dict[str, Any] | str]]:
    """(where, row) for every non-blank line; a row that is not a JSON object is its problem as a string."""
    rows: list[tuple[str, dict[str, Any] | str]] = []
    for number, line in enumerate(_read(path, "manifest").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            rows.append((where, f"not valid JSON ({exc.msg} at column {exc.colno})"))
            continue
        if not isinstance(row, dict):
            rows.append((where, f"a JSON {type(row).__name__}, not an object"))
        elif not is_utf8(json.dumps(row, ensure_ascii=False)):
            rows.append((where, "not UTF-8 text: it holds a lone surrogate escape (\\ud800 to \\udfff) with no pair"))
        else:
            rows.append((where, row))
    if not rows:
        raise UsageError(f"manifest {path} has no rows", "one JSON object per line, with spec or prompt")
    return rows


def _csv_rows(path: Path) -> list[tuple[str, dict[str, Any] | str]]:
    text = _read(path, "manifest")
    csv.field_size_limit(MAX_FIELD)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows: list[tuple[str, dict[str, Any] | str]] = []
    try:
        if not reader.fieldnames:
            raise UsageError(f"manifest {path} is empty", "the first line names the columns")
        for row in reader:
            where = f"{path}:{reader.line_num}"
            if None in row:
                rows.append(
                    (
                        where,
                        f"{len(row[None]) + len(reader.fieldnames)} cells, but the header has {len(reader.fieldnames)}",
                    )
                )
                continue
            rows.append((where, {k.strip(): v for k, v in row.items() if k is not None}))
    except csv.Error as exc:
        # reader.reader's count: the DictReader's own is only updated once a row has been read whole
        where = f"manifest {path} line {reader.reader.line_num}"
        if "field limit" in str(exc):
            raise UsageError(
                f"{where}: a cell is over {MAX_FIELD // 2**20} MB", "put a spec that large in a file and name it"
            ) from None
        raise UsageError(f"{where}: {exc}", "fix the CSV (quote cells holding commas)") from None
    if not rows:
        raise UsageError(f"manifest {path} has a header but no rows", "add one row per item")
    return rows


def _row_item(number: int, where: str, row: dict[str, Any] | str, base: Path, template: str | None = None) -> Item:
    item = Item(number, where)
    if isinstance(row, str):
        item.problem = row
        return item
    if not isinstance(row.get("vars") or {}, dict):
        item.problem = "vars must be an object of names to values"
        return item
    variables = dict(row.get("vars") or {})
    for key, value in row.items():
        if key in FIELDS:
            if key != "vars" and value is not None and not isinstance(value, str):
                item.problem = f"{key} must be text, not {type(value).__name__}"
                return item
        else:
            variables[key] = value  # a CSV column (or an extra JSONL key) is a var
    item.prompt = row.get("prompt") or None
    for key in ("model", "tier", "task_type"):
        setattr(item, key, (row.get(key) or "").strip() or None)
    if slug := (row.get("slug") or "").strip():
        if not SLUG.fullmatch(slug):
            item.problem = f"invalid slug {slug!r} (1-64 of a-z, 0-9 and '-', starting with a letter or digit)"
            return item
        item.slug = slug
    if template is not None:
        if row.get("spec"):
            item.problem = "a row of --rows has a spec, but --template gives the spec"
            return item
        item.spec_text, missing = fill(template, variables, strict=True)
        if missing:
            item.problem = (
                f"the template needs {', '.join('{' + m + '}' for m in dict.fromkeys(missing))}, which this row lacks"
            )
        return item
    if spec := row.get("spec"):
        item.spec_text = _spec_value(spec, base, item)
        if variables and not item.problem:
            item.spec_text, _ = fill(item.spec_text, variables, strict=False)
    if not item.problem and not item.text.strip():
        item.problem = "the row has neither spec nor prompt"
    return item


def _spec_value(value: str, base: Path, item: Item) -> str:
    """A row's spec: the file it names (relative to the manifest) or, when it names none, the text itself."""
    if "\n" not in value and len(value) < 4096:
        path = base / value.strip()
        if _is_file(path):
            try:
                return _read(path, "spec")
            except UsageError as exc:
                item.problem = exc.message
                return ""
        if path.suffix.lower() in SPEC_SUFFIXES:
            item.problem = f"spec file not found: {path}"
            return ""
    return value


def _is_file(path: Path) -> bool:
    """Whether a row's spec names a file; text that cannot be a path (a name part over 255 bytes) names none."""
    try:
        return path.is_file()
    except OSError:
        return False
