"""The outcome a run reports is the truth: a cut stream is not ok, an oversize answer is cut with a reason, exit
codes tell an unreachable server from one answering errors, model-specific errors fall back along the tier,
review falls back too, follow-ups honour their flags, and a closed stdout ends the run quietly, recorded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest

from tests.cli.test_export_cli import on_a_terminal
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import GOOD_SPEC, ROOT, dispatch, write
from tests.reliability.common import events_of

CHUNK = 'data: {"choices": [{"delta": {"content": "%s"}, "finish_reason": null}]}\n\n'


@pytest.fixture
def spec(isolated: Path) -> Path:
    return write(isolated / "task.md", GOOD_SPEC)


def run(server: FakeOpenAI, spec: Path, *args: str, timeout: float = 60):
    return dispatch(
        "run",
        "--spec",
        str(spec),
        "--slug",
        "job",
        "--json",
        *args,
        env={"DISPATCH_BASE_URL": server.base_url},
        timeout=timeout,
    )


def test_a_stream_that_stops_without_done_or_finish_reason_is_truncated(spec: Path) -> None:
    with FakeOpenAI([Reply(raw_sse=CHUNK % "The first half" + CHUNK % " of an answer")]) as server:
        result = run(server, spec)
    envelope = result.json()
    assert result.code == 1 and envelope["status"] == "error" and envelope["reason"] == "truncated"
    assert envelope["result"] == "The first half of an answer" and "cut short" in envelope["error"]


def test_a_stream_split_anywhere_reads_the_same(spec: Path) -> None:
    """The fault server cuts the SSE bytes mid-line and mid-character, and drips them."""
    body = (
        CHUNK % "héllo wörld ✓" + 'data: {"choices": [{"delta": {}, "finish_reason": "stop"}]}\n\n' + "data: [DONE]\n\n"
    ).encode()
    pieces = [body[i : i + 7] for i in range(0, len(body), 7)]
    with FakeOpenAI([Reply(raw_pieces=pieces, drip=0.001)]) as server:
        result = run(server, spec)
    assert result.code == 0 and result.json()["result"] == "héllo wörld ✓", result.stderr


def test_an_oversize_answer_is_cut_at_the_cap_with_a_reason(isolated: Path, spec: Path) -> None:
    write(isolated / "home" / "config.toml", "[defaults]\nmax_answer_chars = 5000\n")
    with FakeOpenAI([Reply(text="x" * 400_000, chunks=400)]) as server:
        result = run(server, spec)
    envelope = result.json()
    assert result.code == 1 and envelope["reason"] == "too_large" and len(envelope["result"]) == 5000
    assert "5,000 character cap" in envelope["error"]
    logs = isolated / "projects" / "job" / ".dispatch-logs"
    assert sum(p.stat().st_size for p in logs.iterdir()) < 200_000, "no copy of the whole answer is kept anywhere"
    events = events_of(envelope["audit_path"])
    assert "".join(e["text"] for e in events if e["type"] == "TextDelta") == "x" * 5000
    whole = {p.name: p.read_text().count("x" * 5000) for p in logs.iterdir() if p.is_file()}
    assert whole == {**{name: 0 for name in whole}, Path(envelope["audit_path"]).name: 1}, (
        "the cut answer is stored whole once, in its record (the event log has only the streamed pieces)"
    )
    assert events[-1]["envelope"]["result"] is None and events[-1]["envelope"]["result_chars"] == 5000
    assert not json.loads(Path(envelope["audit_path"]).read_text())["raw"], "no raw copy of the wire either"
    assert dispatch("status", "--slug", "job", "--json").json()["last_result"] == "x" * 5000


def test_a_server_answering_500s_is_a_server_error_not_unreachable(spec: Path) -> None:
    with FakeOpenAI([Reply(status=500, headers={"retry-after": "0"})]) as server:
        result = run(server, spec)
    envelope = result.json()
    assert result.code == 1 and envelope["reason"] == "server_error" and len(envelope["attempts"]) == 3
    assert len(server.requests) == 3


def test_an_unreachable_server_is_still_exit_7(spec: Path) -> None:
    result = dispatch(
        "run", "--spec", str(spec), "--slug", "job", "--json", env={"DISPATCH_BASE_URL": "http://127.0.0.1:9/v1"}
    )
    assert result.code == 7 and result.json()["reason"] == "unavailable"


@pytest.mark.parametrize(
    "reply, said",
    [
        (Reply(raw_sse="<html><body>Sign in</body></html>", content_type="text/html"), "text/html"),
        (
            Reply(raw_sse='{"choices": [{"message": {"content": "hi"}}]}', content_type="application/json"),
            "application/json",
        ),
        (Reply(raw_sse="{not json", content_type="application/json"), "'{not json'"),
    ],
)
def test_a_body_that_is_not_an_event_stream_says_what_came(spec: Path, reply: Reply, said: str) -> None:
    with FakeOpenAI([reply]) as server:
        result = run(server, spec)
    envelope = result.json()
    assert result.code == 1 and envelope["reason"] == "bad_response"
    assert "not an event stream" in envelope["error"] and said in envelope["error"]


def two_servers(isolated: Path, first: FakeOpenAI, second: FakeOpenAI) -> None:
    write(
        isolated / "home" / "config.toml",
        f"""
[models.bad]
base_url = "{first.base_url}"
[models.good]
base_url = "{second.base_url}"
[tiers.general]
models = ["bad", "good"]
task_types = ["general"]
""",
    )


@pytest.mark.parametrize(
    "reply",
    [
        Reply(status=400, body=json.dumps({"error": {"message": "Invalid model name passed in model=ghost-1"}})),
        Reply(status=404, body=json.dumps({"error": {"message": "The model `ghost-1` does not exist"}})),
        Reply(
            status=400, body=json.dumps({"error": {"message": "This model's maximum context length is 4096 tokens"}})
        ),
    ],
)
def test_a_model_specific_error_moves_on_to_the_next_model_of_the_tier(
    isolated: Path, spec: Path, reply: Reply
) -> None:
    with FakeOpenAI([reply]) as bad, FakeOpenAI([Reply(text="from the good one")]) as good:
        two_servers(isolated, bad, good)
        result = dispatch("run", "--spec", str(spec), "--slug", "job", "--json")
    envelope = result.json()
    assert result.code == 0 and envelope["model"] == "good" and envelope["result"] == "from the good one"
    assert [a["model"] for a in envelope["attempts"]] == ["bad", "good"] and len(bad.requests) == 1
    assert envelope["attempts"][0]["status"] == "error"


def test_a_plain_bad_request_does_not_fall_back(isolated: Path, spec: Path) -> None:
    reply = Reply(status=400, body=json.dumps({"error": {"message": "temperature must be at most 2"}}))
    with FakeOpenAI([reply]) as bad, FakeOpenAI() as good:
        two_servers(isolated, bad, good)
        result = dispatch("run", "--spec", str(spec), "--slug", "job", "--json")
    assert result.code == 1 and good.requests == [] and "temperature" in result.json()["error"]


def test_review_falls_back_when_its_reviewer_is_down(isolated: Path, spec: Path) -> None:
    with FakeOpenAI([Reply(text="the work")]) as worker, FakeOpenAI([Reply(text="VERDICT: pass\n- fine")]) as reviewer:
        write(
            isolated / "home" / "config.toml",
            f"""
[models.a]
base_url = "{worker.base_url}"
[models.b]
base_url = "http://127.0.0.1:9/v1"
[models.c]
base_url = "{reviewer.base_url}"
""",
        )
        assert dispatch("run", "--spec", str(spec), "--slug", "job", "--model", "a").code == 0
        result = dispatch("review", "--slug", "job", "--json")
    envelope = result.json()
    assert result.code == 0, result.stderr
    assert envelope["model"] == "c" and envelope["verdict"] == "pass" and envelope["attempts"][0]["model"] == "b"


def test_resume_and_review_honour_the_loop_flags(isolated: Path, spec: Path) -> None:
    with FakeOpenAI([Reply(text="ok then")]) as server:
        write(
            isolated / "home" / "config.toml",
            f'[models.a]\nbase_url = "{server.base_url}"\n[models.b]\nbase_url = "{server.base_url}"\n',
        )
        assert dispatch("run", "--spec", str(spec), "--slug", "job", "--model", "a").code == 0
        flags = ("--max-steps", "3", "--max-fetches", "2", "--token-budget", "900", "--json")
        resumed = dispatch("resume", "--slug", "job", "--prompt", "go on", *flags)
        reviewed = dispatch("review", "--slug", "job", *flags)
    for result in (resumed, reviewed):
        assert result.code == 0, result.stderr
        request = json.loads(Path(result.json()["audit_path"]).read_text())["request"]
        assert (request["max_steps"], request["max_fetches"], request["token_budget"]) == (3, 2, 900)


def test_a_closed_stdout_ends_the_run_quietly_and_records_it(isolated: Path, spec: Path) -> None:
    text = "a long answer line\n" * 5000
    with FakeOpenAI([Reply(text=text, chunks=2000, drip=0.002)]) as server:
        process = subprocess.Popen(
            [sys.executable, "-m", "core", "run", "--spec", str(spec), "--slug", "job"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env={**__import__("os").environ, "DISPATCH_BASE_URL": server.base_url},
        )
        assert process.stdout is not None
        process.stdout.read(100)
        process.stdout.close()
        _, stderr = process.communicate(timeout=60)
    err = stderr.decode()
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert "stdout was closed" in err
    records = list((isolated / "projects" / "job" / ".dispatch-logs").glob("*-result.json"))
    record = json.loads(records[0].read_text())
    assert record["status"] == "interrupted" and record["reason"] == "output_closed"
    assert record["result"].startswith("a long answer line") and len(record["result"]) < len(text)


def test_a_closed_stdin_or_stdout_at_start_is_dev_null_not_a_traceback(isolated: Path, spec: Path) -> None:
    def closed(redirect: str, *args: str) -> subprocess.CompletedProcess[str]:
        command = ["sh", "-c", f'exec "$@" {redirect}', "sh", sys.executable, "-m", "core", *args]
        env = {**os.environ, "DISPATCH_BASE_URL": server.base_url}
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    with FakeOpenAI([Reply(text="Faster start-up, a new audit browser and fewer crashes.")]) as server:
        ran = closed(">&-", "run", "--spec", str(spec), "--slug", "job")
        linted = closed("<&-", "lint", "--spec", "-")
        removed = closed("<&-", "rm", "--slug", "job")
    for result in (ran, linted, removed):
        assert "Traceback" not in result.stderr, result.stderr
    record = json.loads(next((isolated / "projects" / "job" / ".dispatch-logs").glob("*-result.json")).read_text())
    assert ran.returncode == 0 and record["status"] == "ok"
    assert linted.returncode == 2 and "the spec on stdin is empty" in linted.stderr, "a closed stdin reads as empty"
    assert removed.returncode == 2 and "without confirmation" in removed.stderr


def test_an_answer_with_a_lone_surrogate_is_kept_with_a_replacement_character(isolated: Path, spec: Path) -> None:
    """JSON allows the escape \\ud800 alone; it could not be written as UTF-8, and the run was lost, left running."""
    stream = 'data: {"choices":[{"delta":{"content":"Hi \\ud800 end."},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'
    with FakeOpenAI([Reply(raw_sse=stream)]) as server:
        result = run(server, spec)
    assert result.code == 0, result.stderr
    assert result.json()["result"] == "Hi \ufffd end." and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "chunk",
    [
        '{"choices":[{"delta":{"content":5}}]}',
        '{"choices":[5]}',
        '{"choices":{"delta":"x"}}',
    ],
)
def test_a_stream_chunk_of_the_wrong_shape_is_a_bad_response_not_a_crash(
    isolated: Path, spec: Path, chunk: str
) -> None:
    with FakeOpenAI([Reply(raw_sse=f"data: {chunk}\n\ndata: [DONE]\n\n")]) as server:
        result = run(server, spec)
    envelope = result.json()
    assert result.code == 1 and envelope["reason"] == "bad_response" and "Traceback" not in result.stderr
    record = json.loads(Path(envelope["audit_path"]).read_text())
    assert record["status"] == "error", "the run is recorded as ended, not left running"


def test_token_counts_no_answer_has_are_unknown_not_kept(isolated: Path, spec: Path) -> None:
    """10**30 input tokens from one reply made every later index command fail on SQLite's integer range."""
    with FakeOpenAI([Reply(text="Hello there.", usage=(10**30, -5))]) as server:
        result = run(server, spec)
    assert result.code == 0 and result.json()["usage"] == {"input_tokens": 0, "output_tokens": 0}
    for command in (("list", "--json"), ("costs", "--json"), ("status", "--slug", "job", "--json")):
        assert dispatch(*command).code == 0, command


def test_a_models_control_characters_never_reach_the_terminal(isolated: Path, spec: Path) -> None:
    """An answer that sets the window title, clears the screen or writes the clipboard (OSC 52) is shown, not
    obeyed, when it streams to a terminal: each control character but tab and line break as ^X. A pipe and the
    record get the answer as it came."""
    answer = "Hi\x1b]0;pwned\x07\x1b[2Jred\x9b end.\nnext\tline"
    with FakeOpenAI([Reply(text=answer, chunks=3)]) as server:
        with mock.patch.dict(os.environ, {"DISPATCH_BASE_URL": server.base_url}):
            drawn = on_a_terminal("run", "--spec", str(spec), "--slug", "esc", code=1)  # two sentences: contract
        piped = run(server, spec)
    assert "\x1b]0;" not in drawn and "\x07" not in drawn and "Hi^[]0;pwned^G^[[2Jred\ufffd end." in drawn
    assert "next\tline" in drawn.replace("\r\n", "\n")
    assert piped.json()["result"] == answer, "the envelope carries the answer exactly"


def test_an_answer_stopped_at_the_token_limit_says_so(isolated: Path, spec: Path) -> None:
    with FakeOpenAI([Reply(text="Hello there", finish_reason="length")]) as server:
        result = dispatch("run", "--spec", str(spec), "--slug", "cut", env={"DISPATCH_BASE_URL": server.base_url})
    assert "stopped at model default's token limit, so it may be cut short" in result.stderr, result.stderr
