"""`dispatch mcp` driven by the official SDK's client over stdio, against the fake OpenAI server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

from core.fsutil import read_json
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import GOOD_SPEC, dispatch, write
from tests.mcp.client import cli_run, connected, data

TOOLS = {
    "dispatch",
    "start",
    "status",
    "result",
    "cancel",
    "resume",
    "review",
    "escalate",
    "lint",
    "diff",
    "merge",
    "drop",
    "list",
    "project",
    "search",
    "batch",
}


async def test_dispatch_returns_the_envelope_and_reports_progress(tmp_path: Path, projects_dir: Path) -> None:
    reply = Reply(text="Faster start-up, a new audit browser and fewer crashes.", chunks=6, hang_after_first=1.5)
    progress: list[tuple[float, str | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, message))

    with FakeOpenAI([reply]) as fake:
        async with connected(tmp_path / "server.log", env={"DISPATCH_BASE_URL": fake.base_url}) as client:
            result = await client.call_tool(
                "dispatch", {"spec": GOOD_SPEC, "slug": "mcp-one"}, progress_callback=on_progress
            )
            resources = (await client.list_resources()).resources
            envelope = data(result)
            text = await client.read_resource(f"dispatch://runs/mcp-one/{envelope['run_id']}/result")
            project = await client.read_resource("dispatch://projects/mcp-one")
    assert not result.is_error
    assert envelope["status"] == "ok" and envelope["exit_code"] == 0 and envelope["slug"] == "mcp-one"
    assert envelope["result"] == reply.text and envelope["usage"] == {"input_tokens": 12, "output_tokens": 7}
    assert "Summarise the three numbered points" in json.dumps(fake.requests[0])
    record = read_json(Path(envelope["audit_path"]))
    assert record["status"] == "ok" and record["spec"] == GOOD_SPEC
    assert Path(envelope["audit_path"]).parent == projects_dir / "mcp-one" / ".dispatch-logs"
    assert progress and all("so far" in (message or "") for _, message in progress)
    assert [value for value, _ in progress] == sorted({value for value, _ in progress})
    assert f"dispatch://runs/mcp-one/{envelope['run_id']}" in {r.uri for r in resources}
    assert text.contents[0].text == reply.text
    assert json.loads(project.contents[0].text)["last_run"]["run_id"] == envelope["run_id"]
    listed = dispatch("runs", "--slug", "mcp-one", "--json")
    assert [row["run_id"] for row in listed.json()] == [envelope["run_id"]], "an MCP run is an ordinary, indexed run"


async def test_start_then_status_then_result(tmp_path: Path) -> None:
    gate = threading.Event()
    with FakeOpenAI([Reply(text="Three points, one sentence.", gate=gate)]) as fake:
        async with connected(tmp_path / "server.log", env={"DISPATCH_BASE_URL": fake.base_url}) as client:
            started = data(await client.call_tool("start", {"spec": GOOD_SPEC, "slug": "mcp-async"}))
            running = data(await client.call_tool("status", {"run_id": started["run_id"]}))
            by_slug = data(await client.call_tool("status", {"slug": "mcp-async"}))
            on_disk = read_json(Path(started["audit_path"]))["status"]
            gate.set()
            finished = data(await client.call_tool("result", {"run_id": started["run_id"], "wait_seconds": 60}))
            after = data(await client.call_tool("status", {"slug": "mcp-async"}))
    assert started["status"] == "running" and started["run_id"]
    assert running["status"] == "running" and running["run_id"] == started["run_id"] and "progress" in running
    assert by_slug["run_id"] == started["run_id"]
    assert on_disk == "running", "the run is recorded while it runs, as any other"
    assert finished["status"] == "ok" and finished["result"] == "Three points, one sentence."
    assert after["status"] == "ok" and after["run_id"] == started["run_id"]


async def test_cancel_stops_the_run_and_records_it_interrupted(tmp_path: Path) -> None:
    with FakeOpenAI([Reply(hang=120)]) as fake:
        async with connected(tmp_path / "server.log", env={"DISPATCH_BASE_URL": fake.base_url}) as client:
            started = data(await client.call_tool("start", {"spec": GOOD_SPEC, "slug": "mcp-cancel"}))
            short = data(await client.call_tool("result", {"run_id": started["run_id"], "wait_seconds": 0.2}))
            cancelled = data(await client.call_tool("cancel", {"slug": "mcp-cancel"}))
            again = data(await client.call_tool("cancel", {"run_id": started["run_id"]}))
    assert short["status"] == "running"
    assert cancelled["cancelled"] is True and cancelled["status"] == "interrupted" and cancelled["exit_code"] == 130
    assert cancelled["reason"] == "cancelled" and cancelled["error"] == "cancelled on request"
    assert read_json(Path(started["audit_path"]))["status"] == "interrupted"
    assert again["cancelled"] is False and "already ended" in again["note"]


async def test_every_tool_has_a_schema_and_a_description(tmp_path: Path) -> None:
    async with connected(tmp_path / "server.log", mode="auto") as client:
        listed = (await client.list_tools()).tools
        templates = (await client.list_resource_templates()).resource_templates
    assert {tool.name for tool in listed} == TOOLS
    for tool in listed:
        assert tool.input_schema["type"] == "object" and tool.input_schema["additionalProperties"] is False
        assert len(tool.description or "") > 40, tool.name
    dispatch_tool = next(t for t in listed if t.name == "dispatch")
    assert {
        "spec",
        "spec_path",
        "slug",
        "model",
        "tier",
        "task_type",
        "cwd",
        "permission",
        "timeout",
        "mode",
        "verify",
        "wait_seconds",
    } <= set(dispatch_tool.input_schema["properties"])
    assert {t.uri_template for t in templates} == {
        "dispatch://projects/{slug}",
        "dispatch://runs/{slug}/{run_id}",
        "dispatch://runs/{slug}/{run_id}/result",
    }
    assert "MCP server on stdio" in (tmp_path / "server.log").read_text()


async def test_bad_arguments_and_a_refused_spec_are_tool_errors_and_the_server_stays_up(tmp_path: Path) -> None:
    outside = write(tmp_path / "elsewhere" / "spec.md", GOOD_SPEC)
    calls = [
        ("dispatch", {"spec": GOOD_SPEC, "timeout": "soon"}, "argument 'timeout': 'soon' is not of type 'number'"),
        ("dispatch", {"spec": GOOD_SPEC, "colour": "blue"}, "'colour' was unexpected"),
        ("dispatch", {"spec": GOOD_SPEC, "slug": "../../etc"}, "argument 'slug'"),
        ("dispatch", {"spec": GOOD_SPEC, "model": "a", "tier": "b"}, "at most one of model, tier, task_type"),
        ("dispatch", {"spec": GOOD_SPEC, "cwd": "/"}, "outside the directories this server may use"),
        ("dispatch", {"spec_path": str(outside)}, "outside cwd and the projects directory"),
        ("dispatch", {"spec": GOOD_SPEC, "permission": "bypass"}, "permission bypass (asked for) is refused"),
        ("dispatch", {}, "nothing to dispatch"),
        ("status", {"run_id": "../../x"}, "invalid run id"),
        ("result", {"slug": "never-made"}, "project 'never-made' has no runs"),
        ("resume", {"slug": "never-made", "prompt": "more"}, "no project 'never-made'"),
        ("teleport", {}, "unknown tool 'teleport'"),
    ]
    with FakeOpenAI() as fake:
        async with connected(tmp_path / "server.log", env={"DISPATCH_BASE_URL": fake.base_url}) as client:
            results = [await client.call_tool(name, arguments) for name, arguments, _ in calls]
            refused = await client.call_tool("dispatch", {"spec": "Goal: do the thing as discussed", "slug": "vague"})
            linted = data(await client.call_tool("lint", {"spec": "Goal: do the thing as discussed"}))
            still_up = data(await client.call_tool("lint", {"spec": GOOD_SPEC}))
    for (name, _, expected), result in zip(calls, results, strict=True):
        text = result.content[0].text
        assert result.is_error, name
        assert expected in text.splitlines()[0], text
        assert data(result)["reason"] == "usage" and data(result)["exit_code"] == 2
    envelope = data(refused)
    assert refused.is_error and envelope["status"] == "rejected" and envelope["exit_code"] == 3
    rules = {f["rule"] for f in envelope["findings"]}
    assert {"hidden-context", "missing-section"} <= rules and all(f["fix"] for f in envelope["findings"])
    assert linted["errors"] is True and {f["rule"] for f in linted["findings"]} == rules
    assert fake.requests == [], "nothing reaches a model"
    assert still_up["errors"] is False
    assert "Traceback" not in (tmp_path / "server.log").read_text()


async def test_lint_checks_the_inputs_for_the_reader_it_is_told(tmp_path: Path) -> None:
    spec = GOOD_SPEC.replace(
        "1. Faster start-up. 2. A new audit browser. 3. Fewer crashes.", "https://example.com/notes"
    )
    async with connected(tmp_path / "server.log") as client:
        stateless = data(await client.call_tool("lint", {"spec": spec}))
        web = data(await client.call_tool("lint", {"spec": spec, "mode": "web"}))
    [finding] = [f for f in stateless["findings"] if f["rule"] == "input-not-given"]
    assert (
        stateless["errors"] is True
        and finding["quote"] == "https://example.com/notes"
        and "--mode web" in finding["fix"]
    )
    assert web["errors"] is False and not web["findings"]


async def test_bypass_needs_a_server_started_with_allow_bypass(tmp_path: Path) -> None:
    with FakeOpenAI() as fake:
        async with connected(
            tmp_path / "server.log", "--allow-bypass", env={"DISPATCH_BASE_URL": fake.base_url}
        ) as client:
            result = await client.call_tool("dispatch", {"spec": GOOD_SPEC, "slug": "bypassed", "permission": "bypass"})
    assert not result.is_error and data(result)["status"] == "ok"


async def test_twenty_concurrent_calls_over_five_projects(tmp_path: Path, projects_dir: Path) -> None:
    with FakeOpenAI([Reply(text="One sentence.", hang_after_first=0.3)]) as fake:
        async with connected(tmp_path / "server.log", env={"DISPATCH_BASE_URL": fake.base_url}) as client:
            results = await asyncio.gather(
                *(
                    client.call_tool("dispatch", {"spec": GOOD_SPEC, "slug": f"many-{n % 5}", "busy_wait": 120})
                    for n in range(20)
                )
            )
            listed = data(await client.call_tool("list", {}))
    envelopes = [data(result) for result in results]
    assert [e["status"] for e in envelopes] == ["ok"] * 20, [e.get("error") for e in envelopes]
    assert len({e["run_id"] for e in envelopes}) == 20 and len(fake.requests) == 20
    for n in range(5):
        assert len(list((projects_dir / f"many-{n}" / ".dispatch-logs").glob("*-result.json"))) == 4
    assert {p["slug"]: p["runs"] for p in listed["projects"]} == {f"many-{n}": 4 for n in range(5)}


async def test_result_waits_for_a_run_the_cli_started(tmp_path: Path) -> None:
    gate = threading.Event()
    with FakeOpenAI([Reply(text="From the other door.", gate=gate)]) as fake:
        cli = await cli_run(fake.base_url, "cli-made", GOOD_SPEC)
        async with connected(tmp_path / "server.log", env={"DISPATCH_BASE_URL": fake.base_url}) as client:
            still = data(await client.call_tool("result", {"slug": "cli-made", "wait_seconds": 0.5}))
            waiting = asyncio.ensure_future(client.call_tool("result", {"slug": "cli-made", "wait_seconds": 60}))
            gate.set()
            waited = data(await waiting)
        out = cli.stdout.read() if cli.stdout else ""
        assert cli.wait(timeout=60) == 0
    assert still["status"] == "running"
    assert waited["status"] == "ok" and waited["result"] == "From the other door."
    assert waited["run_id"] == json.loads(out)["run_id"]
