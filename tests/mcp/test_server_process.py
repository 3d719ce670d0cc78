"""The server as a process, spoken to in raw JSON-RPC lines: garbage on stdin, the host vanishing, SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from core.fsutil import read_json
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import GOOD_SPEC
from tests.mcp.client import ROOT, server_params
from tests.mcp.test_server import TOOLS


class RawServer:
    def __init__(self, env: dict[str, str] | None = None) -> None:
        params = server_params(env=env)
        self.proc = subprocess.Popen(
            [params.command, *params.args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={"PATH": "/usr/bin:/bin", **(params.env or {})},
            cwd=ROOT,
        )

    def send(self, message: dict[str, Any] | bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(message if isinstance(message, bytes) else (json.dumps(message) + "\n").encode())
        self.proc.stdin.flush()

    def reply(self, request_id: int | None) -> dict[str, Any]:
        """Read stdout up to the answer to `request_id`; every line on the way must be a JSON-RPC message."""
        assert self.proc.stdout is not None
        while True:
            line = self.proc.stdout.readline()
            assert line, "the server closed stdout"
            message = json.loads(line)
            assert message["jsonrpc"] == "2.0"
            if message.get("id") == request_id:
                return message

    def initialize(self) -> None:
        self.send(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-06-18",
                    "capabilities": {},
                    "clientInfo": {"name": "raw", "version": "0"},
                },
            }
        )
        assert self.reply(1)["result"]["serverInfo"]["name"] == "dispatch"
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def start_hanging_run(self, fake: FakeOpenAI, slug: str) -> None:
        self.send(
            {
                "jsonrpc": "2.0",
                "id": 2,
                "method": "tools/call",
                "params": {"name": "dispatch", "arguments": {"spec": GOOD_SPEC, "slug": slug}},
            }
        )
        deadline = time.monotonic() + 60
        while not fake.requests:
            assert time.monotonic() < deadline and self.proc.poll() is None, "the run never reached the model"
            time.sleep(0.05)


def test_garbage_on_stdin_gets_no_traceback_and_stdout_stays_protocol() -> None:
    server = RawServer()
    server.initialize()
    server.send(b"\xff\xfe" + b"x" * 10_000_000 + b"\n")
    server.send(b"{not json\n")
    server.send(b'{"valid": "json, but no message"}\n')
    answered = [server.reply(None)["error"]["code"] for _ in range(3)]  # JSON-RPC's answer to a line it cannot read
    server.send({"jsonrpc": "2.0", "id": 7, "method": "tools/list"})
    listed = server.reply(7)
    server.send({"jsonrpc": "2.0", "id": 8, "method": "tools/call", "params": {"name": "list", "arguments": []}})
    wrong = server.reply(8)
    assert server.proc.stdin is not None
    server.proc.stdin.close()
    assert server.proc.wait(timeout=30) == 0
    assert answered == [-32700, -32700, -32600]
    assert {tool["name"] for tool in listed["result"]["tools"]} == TOOLS
    assert "error" in wrong or wrong["result"]["isError"]
    assert "Traceback" not in server.proc.stderr.read().decode()  # type: ignore[union-attr]


@pytest.mark.parametrize("how", ["host closes stdin", "SIGTERM", "host dies (stdout, then stdin)"])
def test_a_run_in_flight_is_recorded_interrupted_when_the_server_stops(how: str, projects_dir: Path) -> None:
    with FakeOpenAI([Reply(hang=120)]) as fake:
        server = RawServer(env={"DISPATCH_BASE_URL": fake.base_url})
        server.initialize()
        server.start_hanging_run(fake, "stopped")
        if how == "SIGTERM":
            server.proc.send_signal(signal.SIGTERM)
        elif how == "host closes stdin":
            assert server.proc.stdin is not None
            server.proc.stdin.close()
        else:
            assert server.proc.stdout is not None
            server.proc.stdout.close()
            server.send({"jsonrpc": "2.0", "id": 9, "method": "tools/list"})
            server.proc.stdin.close()  # type: ignore[union-attr]
        code = server.proc.wait(timeout=40)
        stderr = server.proc.stderr.read().decode()  # type: ignore[union-attr]
    assert code == (130 if how == "SIGTERM" else 0) and "Traceback" not in stderr
    [record] = [read_json(path) for path in (projects_dir / "stopped" / ".dispatch-logs").glob("*-result.json")]
    assert record["status"] == "interrupted" and record["finished_at"]


def test_a_request_whose_id_is_not_a_string_or_an_integer_is_answered_not_dropped() -> None:
    """JSON-RPC ids are strings or integers; the SDK read any other as a notification and dropped it, and the host
    waited for ever. Each gets -32600 with a null id, and a good request after them is still answered."""
    server = RawServer()
    server.initialize()
    for bad in (None, 1.5, True, {"a": 1}):
        server.send({"jsonrpc": "2.0", "id": bad, "method": "tools/list"})
    server.send({"jsonrpc": "2.0", "id": 7, "method": "tools/list"})
    assert server.proc.stdout is not None
    refused, listed = [], None
    while listed is None:  # the answers in order: one per bad request, then the good one's
        message = json.loads(server.proc.stdout.readline())
        if message.get("id") == 7:
            listed = message
        else:
            refused.append(message["error"])
    server.proc.stdin.close()  # type: ignore[union-attr]
    assert server.proc.wait(timeout=30) == 0
    assert [error["code"] for error in refused] == [-32600] * 4 and "usable id" in refused[0]["message"]
    assert {tool["name"] for tool in listed["result"]["tools"]} == TOOLS


@pytest.mark.parametrize("amount", ["NaN", "Infinity"])
def test_a_batch_max_cost_that_is_not_a_finite_amount_is_refused(amount: str, projects_dir: Path) -> None:
    """The schema's minimum lets NaN and Infinity through (no comparison with NaN is true), and either switched the
    spend cap off; the tool refuses them as --max-cost does, and nothing runs."""
    with FakeOpenAI([Reply(text="never")]) as fake:
        server = RawServer(env={"DISPATCH_BASE_URL": fake.base_url})
        server.initialize()
        arguments = json.dumps({"items": [{"spec": GOOD_SPEC, "slug": "capped"}]})[:-1] + f', "max_cost": {amount}}}'
        call = f'{{"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {{"name": "batch", "arguments": {arguments}}}}}'
        server.send((call + "\n").encode())
        answer = server.reply(5)
        server.proc.stdin.close()  # type: ignore[union-attr]
        assert server.proc.wait(timeout=30) == 0
        assert not fake.requests
    text = json.dumps(answer)
    assert answer["result"]["isError"] and "max_cost" in text and "finite" in text
