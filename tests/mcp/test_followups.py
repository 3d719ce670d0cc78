"""The follow-up and lookup tools over MCP: resume, review, escalate (a tier up, and back to the primary),
project and search, each against the fake OpenAI server and the trail the CLI reads."""

from __future__ import annotations

import json
from pathlib import Path

from core import escalation
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import GOOD_SPEC, dispatch
from tests.mcp.client import connected, data


async def test_resume_review_escalate_project_and_search(tmp_path: Path) -> None:
    replies = [
        Reply(text="Start-up is faster, browsing audits is new, crashes are fewer."),
        Reply(text="Now shorter: faster, newer, steadier."),
        Reply(text="VERDICT: concerns\n- the sentence drops the word crashes"),
        Reply(text="Escalated: faster start-up, an audit browser, fewer crashes."),
    ]
    with FakeOpenAI(replies) as fake:
        async with connected(tmp_path / "server.log", env={"DISPATCH_BASE_URL": fake.base_url}) as client:
            first = data(await client.call_tool("dispatch", {"spec": GOOD_SPEC, "slug": "follow"}))
            resumed = data(await client.call_tool("resume", {"slug": "follow", "prompt": "Make it shorter."}))
            reviewed = data(await client.call_tool("review", {"slug": "follow", "model": "default"}))
            escalated = data(
                await client.call_tool(
                    "escalate",
                    {"slug": "follow", "run_id": first["run_id"], "tier": "coding", "reason": "needs code words"},
                )
            )
            handed = data(
                await client.call_tool(
                    "escalate", {"slug": "follow", "primary": True, "reason": "needs a product decision"}
                )
            )
            neither = await client.call_tool("escalate", {"slug": "follow"})
            project = data(await client.call_tool("project", {"slug": "follow"}))
            found = data(await client.call_tool("search", {"query": "steadier", "project": "follow"}))
    assert [first["error"], resumed["error"], reviewed["error"], escalated["error"]] == [None] * 4
    assert resumed["kind"] == "resume" and resumed["session_id"] == first["session_id"]
    assert "Make it shorter." in json.dumps(fake.requests[1]) and replies[0].text in json.dumps(fake.requests[1])
    assert reviewed["kind"] == "review" and reviewed["verdict"] == "concerns"
    assert reviewed["reviewed_run_id"] == resumed["run_id"] and replies[1].text in json.dumps(fake.requests[2])
    assert escalated["kind"] == "escalation" and escalated["tier"] == "coding"
    assert escalated["escalated_from"] == "general" and escalated["escalation_reason"] == "needs code words"
    assert handed["to"] == "primary" and handed["reason"] == "needs a product decision"
    assert escalated["parent_run_id"] == first["run_id"]
    decisions = [(e.run_id, e.to, e.new_run_id) for e in escalation.history("follow")]
    assert decisions == [
        (first["run_id"], "coding", escalated["run_id"]),
        (project["last_run"]["run_id"], "primary", None),
    ]
    assert neither.is_error and "give tier" in neither.content[0].text
    assert project["last_run"]["run_id"] == escalated["run_id"] and project["project"]["runs"] == 4
    hits = {hit["run"]["run_id"] for hit in found["hits"]}
    assert resumed["run_id"] in hits and first["run_id"] not in hits, "the resumed answer, and the review quoting it"
    runs = dispatch("runs", "--slug", "follow", "--json").json()
    assert {r["kind"] for r in runs} == {"run", "resume", "review", "escalation"}
