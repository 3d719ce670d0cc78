"""Secrets never reach stdout, stderr, the run files, the index or the console: the key families, masking across
stream pieces, the project description, error bodies that echo the request, and a canary sweep of every backend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.redact import Redactor, mask_fragments
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import GOOD_SPEC, dispatch, write
from tests.reliability.common import CANARIES, events_of, leaks, script

SHAPED = {
    "aws": "AKIAIOSFODNN7EXAMPLE",
    "aws-secret": "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "github": "ghp_" + "a1B2c3D4e5" * 4,
    "github-fine": "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
    "gitlab": "glpat-" + "x9Y8z7W6v5U4t3S2r1Q0",
    "slack": "xoxb-1234567890-abcdefghijkl",
    "stripe": "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
    "openai": "sk-proj-" + "Zy9" * 10,
    "anthropic": "sk-ant-api03-" + "Qw8" * 8,
    "google": "AIza" + "SyD" * 12,
    "private-key": "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq\nz3Kx9+ab==\n-----END RSA PRIVATE KEY-----",
}


@pytest.mark.parametrize("family", sorted(SHAPED))
def test_every_common_key_family_is_masked(family: str) -> None:
    secret = SHAPED[family]
    masked = Redactor().text(f"before {secret} after")
    assert masked.startswith("before ") and masked.endswith(" after") and "***" in masked
    body = secret.split("=")[-1].strip() if family == "aws-secret" else secret
    assert body not in masked


def test_config_adds_patterns(isolated: Path) -> None:
    write(isolated / "home" / "config.toml", '[redact]\npatterns = ["corp-[0-9]{6}"]\n')
    from core import config as configs
    from core.engine import Engine

    assert Engine(configs.load()).redactor.text("id corp-123456 here") == "id corp*** here"
    write(isolated / "home" / "config.toml", '[redact]\npatterns = ["corp-[0-9"]\n')
    result = dispatch("models")
    assert result.code == 2 and "not a valid regular expression" in result.stderr and "Traceback" not in result.stderr


KEY = "sk-proj-" + "k3yM4t3r14l" * 3
pieces = st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=60)


@settings(max_examples=150, deadline=None)
@given(
    prefix=st.text(max_size=40),
    suffix=st.text(max_size=40),
    cuts=pieces,
    exact=st.sampled_from(["", "plain-canary-value-42"]),
)
def test_streamed_pieces_mask_exactly_like_the_whole_text(
    prefix: str, suffix: str, cuts: list[int], exact: str
) -> None:
    """Wherever the stream splits, what is shown equals the whole text redacted: no piece of a key gets out."""
    redactor = Redactor([exact] if exact else [])
    text = f"{prefix}{KEY} and {exact or 'AKIAIOSFODNN7EXAMPLE'}{suffix}"
    stream = redactor.stream()
    shown, start = [], 0
    for size in cuts * (len(text) // max(1, sum(cuts)) + 1):
        if start >= len(text):
            break
        shown.append(stream.feed(text[start : start + size]))
        start += size
    shown.append(stream.feed(text[start:]))
    shown.append(stream.flush())
    assert "".join(shown) == redactor.text(text)
    assert KEY not in "".join(shown) and KEY[5:12] not in "".join(shown)


def test_plain_prose_is_not_held_back() -> None:
    stream = Redactor().stream()
    assert stream.feed("Hello, this is plain prose. ") == "Hello, this is plain prose. "


def test_raw_wire_pieces_of_a_found_key_are_masked() -> None:
    raw = "".join(
        f"data: {json.dumps({'choices': [{'delta': {'content': KEY[i : i + 5]}}]})}\n\n" for i in range(0, len(KEY), 5)
    )
    masked = mask_fragments(raw, {KEY})
    pieces_left = [json.loads(line[6:])["choices"][0]["delta"]["content"] for line in masked.splitlines() if line]
    assert KEY not in "".join(pieces_left) and set(pieces_left) == {"***"}


def spec_env(server: FakeOpenAI, **extra: str) -> dict[str, str]:
    return {"DISPATCH_BASE_URL": server.base_url, "DISPATCH_API_KEY": CANARIES["DISPATCH_API_KEY"], **extra}


def test_a_key_streamed_in_five_character_pieces_reaches_no_sink(isolated: Path) -> None:
    text = f"Here it is: {KEY} and {SHAPED['aws']} done."
    spec = write(isolated / "task.md", GOOD_SPEC)
    with FakeOpenAI([Reply(text=text, chunks=len(text) // 5)]) as server:
        shown = dispatch("run", "--spec", str(spec), "--slug", "drip", env=spec_env(server))
        as_json = dispatch("run", "--spec", str(spec), "--slug", "drip", "--json", env=spec_env(server))
    assert shown.code == 0 and as_json.code == 0, shown.stderr + as_json.stderr
    assert shown.stdout.startswith("Here it is: sk-p***")
    envelope = as_json.json()
    streamed = "".join(e["text"] for e in events_of(envelope["audit_path"]) if e["type"] == "TextDelta")
    record = json.loads(Path(envelope["audit_path"]).read_text())
    raw_pieces = "".join(
        json.loads(line[6:])["choices"][0]["delta"].get("content") or ""
        for line in record["raw"].splitlines()
        if line.startswith("data: {") and '"choices": [{' in line
    )
    for sink in (shown.stdout, streamed, envelope["result"], raw_pieces):
        assert KEY not in sink and SHAPED["aws"] not in sink
    assert streamed == envelope["result"] == shown.stdout.rstrip("\n")
    assert not leaks(isolated, [KEY, SHAPED["aws"]], shown.stdout, shown.stderr, as_json.stdout, as_json.stderr)


def test_desc_and_goal_are_redacted_in_project_json_and_the_index(isolated: Path) -> None:
    spec = write(
        isolated / "task.md",
        GOOD_SPEC.replace("release announcement draft.", f"release announcement draft using {SHAPED['github']}."),
    )
    with FakeOpenAI() as server:
        first = dispatch("run", "--spec", str(spec), "--json", env=spec_env(server))
        second = dispatch(
            "run",
            "--spec",
            str(spec),
            "--slug",
            "described",
            "--desc",
            f"uses {SHAPED['stripe']} and {CANARIES['DISPATCH_API_KEY']}",
            "--json",
            env=spec_env(server),
        )
        listing = dispatch("list", "--json")
    assert first.code == second.code == listing.code == 0, first.stderr + second.stderr
    assert SHAPED["github"][:4] not in first.json()["slug"]
    assert not leaks(
        isolated,
        [SHAPED["github"], SHAPED["stripe"], CANARIES["DISPATCH_API_KEY"]],
        first.stdout,
        second.stdout,
        listing.stdout,
    )
    described = json.loads((isolated / "projects" / "described" / ".dispatch-logs" / "project.json").read_text())
    assert described["description"].startswith("uses sk_l***")


@pytest.mark.parametrize("status", [401, 500])
def test_an_error_body_that_echoes_the_key_is_masked_on_stdout_and_stderr(isolated: Path, status: int) -> None:
    key = CANARIES["DISPATCH_API_KEY"]
    body = json.dumps({"error": {"message": f"rejected request with header Authorization: Bearer {key} ({key})"}})
    spec = write(isolated / "task.md", GOOD_SPEC)
    with FakeOpenAI([Reply(status=status, body=body, headers={"retry-after": "0"})]) as server:
        result = dispatch("run", "--spec", str(spec), "--slug", "echo", "--json", env=spec_env(server))
    assert result.code in (1, 7) and result.json()["status"] == "error"
    assert "rejected request" in result.stderr and "rejected request" in result.json()["error"]
    assert not leaks(isolated, [key], result.stdout, result.stderr)


def canary_env(**extra: str) -> dict[str, str]:
    return {**CANARIES, **extra}


def sweep_backend(isolated: Path, config: str, spec: Path, *runs: tuple[str, ...]) -> list[str]:
    write(isolated / "home" / "config.toml", config)
    outputs = []
    for args in runs:
        result = dispatch(
            "run", "--spec", str(spec), "--model", "m", "--stall", "20", *args, env=canary_env(), timeout=90
        )
        assert "Traceback" not in result.stderr, result.stderr
        outputs += [result.stdout, result.stderr]
    outputs.append(dispatch("search", "canary", "--json").stdout)
    return leaks(isolated, list(CANARIES.values()), *outputs)


def test_canary_sweep_of_the_chat_backend(isolated: Path) -> None:
    """Success, a truncated stream, an echoing 401 and 500: zero hits anywhere."""
    secrets = list(CANARIES.values())
    echo = json.dumps({"error": {"message": "headers: " + " ".join(secrets)}})
    spec = write(isolated / "task.md", GOOD_SPEC)
    with FakeOpenAI(
        [
            Reply(text="answer " + " ".join(secrets), chunks=40),
            Reply(raw_sse='data: {"choices": [{"delta": {"content": "' + secrets[0] + '"}}]}\n\n'),
            Reply(status=401, body=echo),
            Reply(status=500, body=echo, headers={"retry-after": "0"}),
        ]
    ) as server:
        config = f'[models.m]\nbase_url = "{server.base_url}"\napi_key_env = "MY_PROXY_CREDENTIAL"\n'
        found = sweep_backend(
            isolated,
            config,
            spec,
            ("--slug", "a", "--json"),
            ("--slug", "a"),
            ("--slug", "b"),
            ("--slug", "c", "--json"),
        )
    assert found == []


def test_canary_sweep_of_agent_backends(isolated: Path) -> None:
    """A command and a Claude Code-shaped agent that print every key they hold, whole and in pieces, on stdout and
    stderr, then succeed or fail: zero hits anywhere."""
    dump = """\
        import json, os, sys
        keys = [v for k, v in os.environ.items() if "canary" in v]
        pieces = [k[i:i + 4] for k in keys for i in range(0, len(k), 4)]
        sys.stderr.write("env: " + " ".join(keys) + "\\n")
    """
    command = script(
        isolated / "tool",
        dump
        + """\
        for piece in pieces:
            sys.stdout.write(piece); sys.stdout.flush()
        print(" whole:", " ".join(keys))
        sys.exit(int(sys.argv[1]))
    """,
    )
    claude = script(
        isolated / "claude",
        dump
        + """\
        for piece in pieces:
            print(json.dumps({"type": "stream_event", "event": {"type": "content_block_delta",
                  "delta": {"type": "text_delta", "text": piece}}}), flush=True)
        print(json.dumps({"type": "result", "subtype": "success" if os.environ.get("FAIL") != "1" else "error",
                          "is_error": os.environ.get("FAIL") == "1", "result": " ".join(keys), "session_id": "s1"}))
    """,
    )
    spec = write(isolated / "task.md", GOOD_SPEC)
    names = {k: f"${{{k}}}" for k in CANARIES}
    env_table = "{ " + ", ".join(f'{k} = "{v}"' for k, v in names.items()) + " }"
    for code in ("0", "3"):
        config = f'[models.m]\nbackend = "command"\nargs = ["{command}", "{code}"]\nenv = {env_table}\n'
        assert sweep_backend(isolated, config, spec, ("--slug", f"cmd{code}", "--json"), ("--slug", f"cmd{code}")) == []
    for fail in ("0", "1"):
        config = (
            f'[models.m]\nbackend = "claude-code"\nbin = "{claude}"\n'
            f'env = {{ FAIL = "{fail}", ANTHROPIC_API_KEY = "${{ANTHROPIC_API_KEY}}", '
            f'MY_PROXY_CREDENTIAL = "${{MY_PROXY_CREDENTIAL}}" }}\n'
        )
        assert sweep_backend(isolated, config, spec, ("--slug", f"cc{fail}", "--json"), ("--slug", f"cc{fail}")) == []
