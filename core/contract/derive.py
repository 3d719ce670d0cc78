"""From an Output section to the checks it promises: a format (found once for the whole section, since "JSON" in
one sentence and "with keys a, b" in the next speak of the same answer), then each phrase's own checks.

A phrase from which nothing mechanical can be drawn ("the tests pass", "a friendly tone") is kept as unchecked."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from core import pattern_cache
from core.contract import formats, sizes, values
from core.contract.check import Check

_NEGATED = pattern_cache.compile(
    r"\b(?:no|not|never|without|instead of|rather than|other than)\s+(?:(?:a|an|any|the|in|as|with|other)\s+){0,2}"
    r"(?:(?:\w+\s+)?code\s+blocks?|fenced\s+blocks?|fences?|json(?: lines)?|jsonl|yaml|toml|csv|tsv|diffs?|patch(?:es)?|"
    r"tables?|bullets?(?: points?| lists?)?|numbered lists?)\b",
    re.IGNORECASE,
)
"""'no code blocks', 'not as JSON', 'without a table': what the answer must not be is no format to check for."""
_FORMATS = [
    ("jsonl", pattern_cache.compile(r"\b(?:json ?lines|jsonl|ndjson|one json (?:object|value) per line)\b", re.I)),
    ("json", pattern_cache.compile(r"\bjson\b(?! ?schema)", re.I)),
    ("yaml", pattern_cache.compile(r"\byaml\b", re.I)),
    ("toml", pattern_cache.compile(r"\btoml\b", re.I)),
    ("tsv", pattern_cache.compile(r"\b(?:tsv|tab-separated)\b", re.I)),
    ("csv", pattern_cache.compile(r"\b(?:csv|comma-separated)\b", re.I)),
]
_CONTAINER = pattern_cache.compile(r"\b(?P<word>object|mapping|dictionary|dict|array|list)\b", re.I)
_KEYS = pattern_cache.compile(
    r"\b(?:keys?|fields?|properties|attributes)\b\s*(?:named|called)?\s*:?\s*(?P<names>[^.;()\n]+)", re.I
)
_EACH = pattern_cache.compile(r"\b(?:each|every|all)\b|\b(?:array|list) of (?:\w+ )?objects\b|objects?,? each\b", re.I)
_BACKTICKED = pattern_cache.compile(r"`([^`]+)`")
_HEADER = pattern_cache.compile(
    r"\b(?:header(?: row)?|columns?)\b\s*(?:named|called|of|with|:|=)?\s*(?P<names>`[^`]+`(?:\s*(?:,|and)\s*`[^`]+`)*|[\w ,]+)",
    re.I,
)
_LANGS = {
    "python", "javascript", "typescript", "js", "ts", "bash", "sh", "shell", "sql", "go", "rust", "java", "ruby",
    "c", "cpp", "c++", "csharp", "c#", "kotlin", "swift", "php", "html", "css", "json", "yaml", "toml", "diff",
    "dockerfile", "makefile", "lua", "r", "scala", "haskell", "elixir", "terraform", "hcl", "powershell", "regex",
}  # fmt: skip
_CODE = pattern_cache.compile(
    r"\b(?:(?P<count>one|a single|single|two|three|\d+)\s+)?(?:(?P<lang>[\w+#]+)\s+)?(?:fenced\s+)?code\s+blocks?\b"
    r"|```(?P<tag>[\w+#]+)",
    re.I,
)
_ONLY = pattern_cache.compile(
    r"\bonly (?:the |a |one |its )?(?:\w+ )?(?:code|json|yaml|toml|csv|tsv|block|diff|patch|function)\b|"
    r"\b(?:code|json|yaml|toml|block|diff|patch)\b[^.;]*\bonly\b|nothing else|no (?:other )?(?:prose|text|"
    r"explanation|commentary|preamble|introduction)\b|without (?:any )?(?:prose|explanation|commentary|preamble)|"
    r"\bjust the (?:code|json|block|diff)\b",
    re.I,
)
_DIFF = pattern_cache.compile(r"\b(?:unified diff|diff|patch)\b(?! (?:stat|summary))", re.I)
_TABLE = pattern_cache.compile(r"\b(?:markdown )?table\b", re.I)
_BULLETS = pattern_cache.compile(r"\bbullet(?:ed)?(?: list| points?)?\b|\bbullets\b", re.I)
_NUMBERED = pattern_cache.compile(r"\b(?:numbered|ordered) (?:list|steps|items)\b", re.I)
_PLAIN = pattern_cache.compile(r"\bplain text\b|\bno markdown\b", re.I)
_FENCE_BLOCK = pattern_cache.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n(?P<body>.*?)^ {0,3}\1\s*$", re.M | re.S)
_PHRASE_END = pattern_cache.compile(r"(?<=[.;!?])\s+(?=\S)")
_LIST_MARK = pattern_cache.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+")


@dataclass
class Contract:
    checks: list[Check] = field(default_factory=list)

    @property
    def checkable(self) -> list[Check]:
        return [check for check in self.checks if check.test is not None]

    def describe(self) -> list[dict[str, str]]:
        """What will be enforced, for `dispatch lint`: each check's rule and phrase (unchecked ones say why)."""
        return [
            {"rule": c.rule, "source": c.source, **({"unchecked": c.note} if c.test is None else {})}
            for c in self.checks
        ]


def _text(body: str) -> str:
    """The section's prose: fenced blocks and negated formats left out."""
    return _NEGATED.sub(" ", _FENCE_BLOCK.sub("\n", body))


def phrases(body: str) -> list[str]:
    """The section's sentences and list items (fenced blocks left out)."""
    text = _FENCE_BLOCK.sub("\n", body)
    found: list[str] = []
    for line in text.splitlines():
        line = _LIST_MARK.sub("", line).strip()
        found += [part.strip() for part in _PHRASE_END.split(line) if re.search(r"\w", part)]
    return found


def format_of(body: str) -> tuple[str | None, str]:
    """The answer's format and the phrase naming it: the earliest format word of the section."""
    text = _text(body)
    found = [(m.start(), name, m.group(0)) for name, pattern in _FORMATS if (m := pattern.search(text))]
    if not found:
        return None, ""
    _, name, word = min(found, key=lambda f: (f[0], -len(f[2])))
    return name, word


def derive(body: str, *, cwd: Path | None = None, agent: bool = False) -> Contract:
    """The checks an Output section promises. `cwd` is where a schema file is read and where a diff must apply (when
    it is in a git repo); an agent's answer is a report on work it did in files, so the shape of the changes
    themselves (a diff) is left to its worktree and verify."""
    fmt, fmt_word = format_of(body)
    shape = _shape_of(body)
    contract = Contract()
    if fmt is not None:
        container = _container(body, fmt_word) if fmt in formats.PARSERS else None
        if fmt in formats.DELIMITERS:
            header = _names(_HEADER, body)
            check = formats.delimited(fmt, header)
        else:
            check = formats.structured(fmt, container)
        contract.checks.append(Check(f"format:{fmt}", fmt_word, check))
    for block in _FENCE_BLOCK.finditer(body):
        try:
            value = json.loads(block["body"])
        except formats.UNREADABLE:
            continue
        if values.is_schema(value):
            contract.checks.append(values.schema(value, "the JSON Schema in the Output section"))
    for phrase in phrases(body):
        found = _phrase_checks(_NEGATED.sub(" ", phrase), fmt, shape, cwd, agent)
        contract.checks += found
        if not found and not _names_format(phrase, fmt_word):
            note = "no mechanical check could be drawn from this phrase"
            contract.checks.append(Check("unchecked", phrase[:160], None, note))
    return contract


def _only(source: str, fmt: str | None, shape: str | None) -> Check:
    """'Nothing else', of the format the section names, else of its code block or list; with no shape named there
    is nothing to hold the rest of the answer against."""
    if fmt is not None or shape is not None:
        return Check("only", source, formats.only(fmt or shape or ""))
    return Check("only", source, None, "the Output names no format, block or list that the answer must be alone")


def _shape_of(body: str) -> str | None:
    """What else than a format an answer may be 'only': a code block, or a list."""
    text = _text(body)
    if _CODE.search(text):
        return "block"
    if _BULLETS.search(text) or _NUMBERED.search(text):
        return "list"
    return None


def _names_format(phrase: str, fmt_word: str) -> bool:
    return bool(fmt_word) and fmt_word.lower() in phrase.lower()


def _container(body: str, fmt_word: str) -> str | None:
    """'object' or 'array' when the phrase naming the format says which: the first such word after the format's."""
    text = _text(body)
    start = text.lower().find(fmt_word.lower())
    sentence = text[max(0, start - 30) : start + 80] if start >= 0 else ""
    match = _CONTAINER.search(sentence)
    if match is None:
        return None
    return "object" if match["word"].lower() in ("object", "mapping", "dictionary", "dict") else "array"


def _names(pattern: re.Pattern[str], phrase: str) -> list[str] | None:
    match = pattern.search(_FENCE_BLOCK.sub("\n", phrase))
    if match is None:
        return None
    quoted = _BACKTICKED.findall(match["names"])
    if len(quoted) == 1 and re.search(r"[,\t]", quoted[0]):
        quoted = re.split(r"\s*[,\t]\s*", quoted[0])
    if quoted:
        return [name.strip(",") for name in quoted]
    names = [n.strip() for n in re.split(r"\s*,\s*|\s+and\s+", match["names"].strip()) if n.strip()]
    return names if len(names) >= 2 and all(re.fullmatch(r"[\w-]+", n) for n in names) else None


def _phrase_checks(phrase: str, fmt: str | None, shape: str | None, cwd: Path | None, agent: bool) -> list[Check]:
    checks: list[Check] = []
    if fmt in formats.PARSERS and (named := _KEYS.search(phrase)) and (keys := _names(_KEYS, phrase)):
        each = fmt == "jsonl" or bool(_EACH.search(phrase))
        checks.append(Check("keys", named.group(0).strip(), formats.keys(fmt, keys, each)))
    if match := _CODE.search(phrase):
        lang = (match["lang"] or match["tag"] or "").lower()
        count = sizes.number(match["count"]) if match["count"] else None
        checks.append(Check("code-block", match.group(0), formats.code_block(lang if lang in _LANGS else None, count)))
    if match := _ONLY.search(phrase):
        checks.append(_only(match.group(0), fmt, shape))
    if match := _DIFF.search(phrase):
        if agent:
            checks.append(
                Check("diff", match.group(0), None, "an agent's changes are its worktree's diff, not its answer")
            )
        else:
            checks.append(Check("diff", match.group(0), formats.unified_diff(cwd)))
    if match := _TABLE.search(phrase):
        checks.append(Check("table", match.group(0), formats.markdown_table(_names(_HEADER, phrase))))
    if match := _BULLETS.search(phrase):
        checks.append(Check("bullets", match.group(0), formats.listing("bullet")))
    if match := _NUMBERED.search(phrase):
        checks.append(Check("numbered", match.group(0), formats.listing("numbered")))
    if match := _PLAIN.search(phrase):
        checks.append(Check("plain-text", match.group(0), formats.plain_text))
    checks += sizes.derive(phrase)
    checks += values.derive(phrase, fmt)
    if schema := values.schema_file(phrase, cwd):
        checks.append(schema)
    return checks
