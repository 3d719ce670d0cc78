"""`cancel` of a run another process runs: a CLI run gets SIGTERM and records itself interrupted, but only once its
process is proven to be the run's (the lock's holder, the record's pid, the same start time); a run hosted by a
process with other work (another MCP server) is refused rather than stopping everything there."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from core.audit.store import Project
from core.fsutil import read_json
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import GOOD_SPEC
from tests.mcp.client import cli_run, connected, data


async def test_cancel_stops_a_run_the_cli_started(tmp_path: Path) -> None:
    gate = threading.Event()
    with FakeOpenAI([Reply(text="never finished", gate=gate)]) as fake:
        cli = await cli_run(fake.base_url, "cli-cancel", GOOD_SPEC)
        async with connected(tmp_path / "server.log", env={"DISPATCH_BASE_URL": fake.base_url}) as client:
            cancelled = data(await client.call_tool("cancel", {"slug": "cli-cancel"}))
        code = cli.wait(timeout=60)
        out = cli.stdout.read() if cli.stdout else ""
    assert cancelled["cancelled"] is True and cancelled["status"] == "interrupted" and cancelled["exit_code"] == 130
    assert code == 130 and json.loads(out)["status"] == "interrupted"
    assert read_json(Path(cancelled["audit_path"]))["status"] == "interrupted"


async def test_cancel_sends_nothing_to_a_process_it_cannot_prove_is_the_runs(tmp_path: Path) -> None:
    """A lock whose holder's start time no longer matches its pid (the pid was reused) is refused, and the run
    goes on to finish ok: no signal reached it."""
    gate = threading.Event()
    with FakeOpenAI([Reply(text="finished after all", gate=gate)]) as fake:
        cli = await cli_run(fake.base_url, "cli-reused", GOOD_SPEC)
        lock = Project.at("cli-reused").lock()
        info = lock.info()
        lock.path.write_text(json.dumps({**info, "pid_start": info["pid_start"] - 1}))
        async with connected(tmp_path / "server.log", env={"DISPATCH_BASE_URL": fake.base_url}) as client:
            refused = await client.call_tool("cancel", {"slug": "cli-reused"})
            still = data(await client.call_tool("status", {"slug": "cli-reused"}))
        gate.set()
        assert cli.wait(timeout=60) == 0
    assert refused.is_error and f"pid {info['pid']} is no longer the process" in refused.content[0].text
    assert still["status"] == "running"


async def test_cancel_refuses_a_run_another_mcp_server_hosts(tmp_path: Path) -> None:
    with FakeOpenAI([Reply(hang=120)]) as fake:
        env = {"DISPATCH_BASE_URL": fake.base_url}
        async with (
            connected(tmp_path / "host.log", env=env) as host,
            connected(tmp_path / "other.log", env=env) as other,
        ):
            started = data(await host.call_tool("start", {"spec": GOOD_SPEC, "slug": "hosted"}))
            refused = await other.call_tool("cancel", {"run_id": started["run_id"]})
            still = data(await host.call_tool("status", {"run_id": started["run_id"]}))
            by_host = data(await host.call_tool("cancel", {"run_id": started["run_id"]}))
    assert refused.is_error and "hosts other work too" in refused.content[0].text.splitlines()[0]
    assert still["status"] == "running"
    assert by_host["cancelled"] is True and by_host["status"] == "interrupted"
