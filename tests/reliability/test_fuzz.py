"""Fuzzing, bounded in examples: spec lint, config loading and argument parsing never end in anything but their
own answer or their own one-line error, and the SSE parser does not care where the bytes split."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import config as configs
from core import spec as specs
from core.backends.sse import SSEParser
from core.cli import build_parser
from core.errors import ConfigError, UsageError

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SPEC_LINES = st.sampled_from(
    [
        "## Goal",
        "Goal: write a test for the parser module",
        "## Inputs",
        "Inputs:",
        "## Output",
        "Output: JSON",
        "```",
        "~~~",
        "Task type: general",
        "Tier: ghost",
        "see src/a.py and ./b/c.md",
        "http://x/y.py",
        "as discussed",
        "deploy to production",
        "<placeholder>",
        "# " + "#" * 10,
        "- " + "d" * 300 + "/x.py",
        "",
    ]
)


@FUZZ
@given(lines=st.lists(st.one_of(SPEC_LINES, st.text(max_size=200)), max_size=60))
def test_lint_always_answers_with_findings(tmp_path: Path, lines: list[str]) -> None:
    text = "\n".join(lines)
    findings = specs.lint(text, cwd=tmp_path, known_task_types={"general"}, known_tiers={"general"})
    assert all(f.line >= 1 and f.message and f.fix for f in findings)
    assert findings == sorted(findings, key=lambda f: (f.line, f.severity != specs.Severity.ERROR, f.rule))


TOML_VALUES = st.recursive(
    st.one_of(st.integers(), st.floats(allow_nan=True), st.booleans(), st.text(max_size=20)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)


@FUZZ
@given(
    table=st.dictionaries(
        st.sampled_from(["models", "tiers", "defaults", "redact", "other"]),
        st.dictionaries(
            st.sampled_from(
                ["m", "general", "timeout", "patterns", "backend", "base_url", "models", "args", "max_answer_chars"]
            ),
            TOML_VALUES,
            max_size=4,
        ),
        max_size=4,
    )
)
def test_config_loading_is_a_config_or_a_config_error(tmp_path: Path, table: dict) -> None:
    import tomli_w

    path = tmp_path / "config.toml"
    try:
        path.write_text(tomli_w.dumps(table), encoding="utf-8")
    except (TypeError, ValueError):
        return  # not representable as TOML
    try:
        configs.load(path, environ={})
    except ConfigError as exc:
        assert exc.one_line() and "\n" not in exc.message


@FUZZ
@given(text=st.text(max_size=300))
def test_config_text_of_any_shape_is_a_config_or_a_config_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    try:
        configs.load(path, environ={})
    except ConfigError:
        pass


ARGS = st.sampled_from(
    [
        "run",
        "resume",
        "review",
        "status",
        "list",
        "search",
        "lint",
        "escalate",
        "config",
        "ui",
        "--spec",
        "-",
        "--slug",
        "abc",
        "--json",
        "--tier",
        "--model",
        "--limit",
        "0",
        "99999999999",
        "--timeout",
        "nan",
        "--since",
        "2026-13-01",
        "--run",
        "../x",
        "--max-steps",
        "-1",
        "--wait",
    ]
)


@FUZZ
@given(argv=st.lists(st.one_of(ARGS, st.text(max_size=12)), max_size=8))
def test_argument_parsing_is_parsed_or_a_usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    if any(arg.startswith("--h") or arg.startswith("--v") or arg.startswith("-h") for arg in argv):
        return  # help and version print and exit, by design
    try:
        build_parser(argv).parse_args(argv)
    except UsageError as exc:
        assert exc.one_line()


@FUZZ
@given(cuts=st.lists(st.integers(min_value=1, max_value=11), min_size=1, max_size=40))
def test_sse_parsing_does_not_depend_on_where_bytes_split(cuts: list[int]) -> None:
    body = "data: héllo ✓\r\n\r\nevent: x\ndata: two\ndata: lines\n\n: comment\ndata: [DONE]\n\n".encode()
    whole = list(SSEParser().feed(body))
    parser, events, start = SSEParser(), [], 0
    for size in cuts * (len(body) // sum(cuts) + 1):
        events += parser.feed(body[start : start + size])
        start += size
    events += parser.close()
    assert events == whole == [("message", "héllo ✓"), ("x", "two\nlines"), ("message", "[DONE]")]
