"""`dispatch lint --deep`: the general tier's model is asked for a contractor's questions, against the fake server."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import GOOD_SPEC, dispatch, write


def lint_deep(spec: Path, env: dict[str, str], *extra: str):
    return dispatch("lint", "--spec", str(spec), "--deep", *extra, env=env)


def test_the_questions_are_warnings_naming_the_model(tmp_path: Path) -> None:
    spec = write(tmp_path / "task.md", GOOD_SPEC)
    with FakeOpenAI([Reply(text="- Who reads the sentence?\n- Should the tone be formal?\n")]) as server:
        result = lint_deep(spec, {"DISPATCH_BASE_URL": server.base_url}, "--json")
    assert result.code == 1, result.stderr
    found = [(f["rule"], f["severity"], f["message"]) for f in result.json()["findings"]]
    assert found == [
        ("deep-question", "warning", "default asks: Who reads the sentence?"),
        ("deep-question", "warning", "default asks: Should the tone be formal?"),
    ]
    sent = "".join(str(m["content"]) for m in server.requests[0]["messages"])
    assert "Summarise the three numbered points" in sent and "contractor" in sent


def test_no_questions_is_clean_and_without_deep_no_model_is_asked(tmp_path: Path) -> None:
    spec = write(tmp_path / "task.md", GOOD_SPEC)
    with FakeOpenAI([Reply(text="NONE")]) as server:
        plain = dispatch("lint", "--spec", str(spec), env={"DISPATCH_BASE_URL": server.base_url})
        assert plain.code == 0 and server.requests == []
        deep = lint_deep(spec, {"DISPATCH_BASE_URL": server.base_url})
    assert deep.code == 0 and "clean" in deep.stdout and len(server.requests) == 1


def test_lint_deep_error_in_the_config_makes_them_refuse(tmp_path: Path, isolated: Path) -> None:
    write(isolated / "home" / "config.toml", '[lint]\ndeep = "error"\n')
    spec = write(tmp_path / "task.md", GOOD_SPEC)
    with FakeOpenAI([Reply(text="1. Who reads the sentence?")]) as server:
        result = lint_deep(spec, {"DISPATCH_BASE_URL": server.base_url})
    assert result.code == 3 and "error deep-question: default asks: Who reads the sentence?" in result.stdout


def test_a_model_that_cannot_be_reached_is_one_warning(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    spec = write(tmp_path / "task.md", GOOD_SPEC)
    result = lint_deep(spec, {"DISPATCH_BASE_URL": f"http://127.0.0.1:{port}/v1"})
    assert result.code == 1 and "warning deep-unavailable" in result.stdout and "Traceback" not in result.stderr


def test_a_wrong_lint_deep_value_is_a_config_error(tmp_path: Path, isolated: Path) -> None:
    write(isolated / "home" / "config.toml", '[lint]\ndeep = "sometimes"\n')
    result = dispatch("lint", "--spec", str(write(tmp_path / "task.md", GOOD_SPEC)))
    assert result.code == 2 and "lint.deep must be one of warn, error" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
