"""Value checks: the answer (or one key of it) is one of a named set of labels, and a JSON answer satisfies a JSON
Schema given inline in the Output section or as a file."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from core import pattern_cache
from core.contract import formats
from core.contract.check import Check, Test, Verdict
from core.contract.reply import Reply

_ONE_OF = pattern_cache.compile(
    r"(?:(?:[`'\"](?P<key>[\w.-]+)[`'\"]|(?P<word>\w+))\s+(?:is|must be|should be|set to|being|=)\s+)?"
    r"\b(?:one of|exactly one of|either)\s*[:\-]?\s*(?P<labels>[^.;()\n]+)",
    re.IGNORECASE,
)
_ONE_WORD = pattern_cache.compile(
    r"\b(?:one|a single)\s+(?:word|label|value|token)(?:\s*,\s*lowercase)?\s*[:\-]\s*(?P<labels>[^.;()\n]+)", re.I
)
_QUOTED_PAIR = pattern_cache.compile(
    r"(?P<labels>([`\"'])[\w -]+\2(?:\s*,\s*([`\"'])[\w -]+\3)*,?\s+or\s+([`\"'])[\w -]+\4)"
)
_BINARY = pattern_cache.compile(
    r"\b(?:answer|reply|respond)(?: with)?(?: only)?\s*:?\s*(?P<labels>yes or no|true or false)\b", re.I
)
_NUMBER = pattern_cache.compile(
    r"^(?:(?:return|reply with|respond with|answer with|give|output)\s*:?\s+)?(?:only\s+|just\s+)?"
    r"(?:one|a single|an?|the)\s+(?P<kind>integer|whole number|number|decimal number|percentage)"
    r"(?:\s+(?:between|from)\s+(?P<low>[-+]?\d+(?:\.\d+)?)%?\s+(?:and|to)\s+(?P<high>[-+]?\d+(?:\.\d+)?)%?)?"
    r"(?=\s*(?:$|[.,;:(—-]|\s(?:only|and nothing else|nothing else|with no|without)\b))",
    re.I,
)
_NUMERAL = {
    "integer": r"[-+]?\d{1,3}(?:,\d{3})+|[-+]?\d+",
    "number": r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+",
}
_SPLIT = pattern_cache.compile(r"\s*(?:,\s*(?:or\s+)?|\s+or\s+|\s*/\s*|\s*\|\s*)\s*")


def labels_of(text: str) -> list[str]:
    """The labels of 'positive, negative or neutral', '`move`, `stay`', 'a | b | c'; [] when they are not bare words."""
    labels = [part.strip().strip("`'\"*").strip() for part in _SPLIT.split(text.strip().rstrip(",:"))]
    labels = [label for label in labels if label]
    if len(labels) < 2 or any(len(label.split()) > 3 for label in labels):
        return []
    return labels


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().strip("`'\"*_").strip().rstrip(".!").strip().lower())


def labels(allowed: list[str], key: str | None, fmt: str | None) -> Test:
    """The answer is one of `allowed`; with `key`, that key of the structured answer (of each object, for a list)."""
    wanted = {_normal(label) for label in allowed}

    def test(reply: Reply) -> Verdict:
        if key is None or fmt is None:
            got = [reply.payload]
        else:
            value, _, why = formats.parse(reply, fmt)
            objects = value if isinstance(value, list) else [value]
            if why is not None or not all(isinstance(item, dict) for item in objects):
                return False, f"the answer is not {formats.NAMES[fmt]} objects, so `{key}` cannot be read"
            if missing := sum(key not in item for item in objects):
                return False, f"{missing} of {len(objects)} objects have no `{key}` key"
            got = [item[key] for item in objects]
        for shown in (str(item).strip() for item in got):
            if _normal(shown) not in wanted:
                return False, f"{shown[:60]!r} is not one of: {', '.join(allowed)}"
        return True, f"{', '.join(str(item) for item in got)[:60]!r} {'is' if len(got) == 1 else 'are'} allowed"

    return test


def number(kind: str, low: str | None = None, high: str | None = None) -> Test:
    """The whole answer is one number ('one integer', 'a single number between 1 and 10'), bold or with a full stop
    allowed; a percentage may keep its sign."""
    integer = kind in ("integer", "whole number")
    what = "an integer" if integer else "a number"
    sign = r"\s?%?" if kind == "percentage" else ""
    numeral = re.compile(f"(?P<n>{_NUMERAL['integer' if integer else 'number']}){sign}")
    bounds = (float(low), float(high)) if low is not None and high is not None else None

    def test(reply: Reply) -> Verdict:
        shown = reply.payload.strip().rstrip(".!").strip().strip("`*_").strip()
        if (match := numeral.fullmatch(shown)) is None:
            return False, f"{shown[:60]!r} is not {what} alone"
        value = float(match["n"].replace(",", ""))
        if bounds is not None and not bounds[0] <= value <= bounds[1]:
            return False, f"{shown!r} is outside {low}-{high}"
        return True, f"{shown!r} is {what}" + (f" in {low}-{high}" if bounds else "")

    return test


def derive(phrase: str, fmt: str | None) -> list[Check]:
    """A label set in the phrase, about one key of a structured answer when the phrase names one; or, for an
    answer in no structured format, a phrase saying it is one number."""
    structured = fmt if fmt in formats.PARSERS else None
    for pattern in (_ONE_WORD, _ONE_OF, _BINARY, _QUOTED_PAIR):
        if match := pattern.search(phrase):
            allowed = labels_of(match["labels"])
            if allowed:
                found = match.groupdict()
                key = found.get("key") or (found.get("word") if structured else None)
                return [Check("labels", match.group(0).strip(), labels(allowed, key, structured))]
    if fmt is None and (match := _NUMBER.search(phrase.strip())):
        return [Check("number", match.group(0).strip(), number(match["kind"].lower(), match["low"], match["high"]))]
    return []


def is_schema(value: Any) -> bool:
    return isinstance(value, dict) and (
        "$schema" in value or ("type" in value and ("properties" in value or "items" in value or "enum" in value))
    )


def schema(value: dict[str, Any], source: str) -> Check:
    from jsonschema import Draft202012Validator, SchemaError, validators
    from jsonschema.exceptions import best_match

    cls = validators.validator_for(value, default=Draft202012Validator)
    try:
        cls.check_schema(value)
    except SchemaError as exc:
        return Check("schema", source, None, f"the schema itself is invalid: {exc.message}")
    except RecursionError:
        return Check("schema", source, None, "the schema is nested too deeply to check")
    validator = cls(value)

    def test(reply: Reply) -> Verdict:
        answer, _, why = formats.parse(reply, "json")
        if why is not None:
            return False, f"not valid JSON, so the schema cannot be checked: {why}"
        error = best_match(validator.iter_errors(answer))
        if error is None:
            return True, "satisfies the schema"
        where = "/".join(str(part) for part in error.absolute_path) or "the top level"
        return False, f"at {where}: {error.message[:200]}"

    return Check("schema", source, test)


_SCHEMA_FILE = pattern_cache.compile(r"\bschema\b[^.;\n]*?[`'\"]?(?P<path>[\w./-]+\.json)\b[`'\"]?", re.IGNORECASE)


def schema_file(phrase: str, cwd: Path | None) -> Check | None:
    """A 'matching the JSON Schema in schemas/invoice.json' check, read from the run's directory."""
    match = _SCHEMA_FILE.search(phrase)
    if match is None:
        return None
    path = Path(match["path"])
    if not path.is_absolute():
        path = (cwd or Path.cwd()) / path
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, *formats.UNREADABLE) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc).splitlines()[0]
        return Check("schema", match.group(0), None, f"cannot read the schema {path}: {why}")
    if not isinstance(value, dict):
        return Check("schema", match.group(0), None, f"{path} holds no JSON Schema object")
    return schema(value, match.group(0))
