"""The `batch` tool over MCP: many dispatches in one call (items in order per project, parallel across projects),
every item checked before anything is sent, progress as items end, and a resume of a recorded batch."""

from __future__ import annotations

import json
from pathlib import Path

from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.helpers import GOOD_SPEC, dispatch, write
from tests.mcp.client import connected, data


def answer_by_slug(body: dict) -> Reply:
    """Each item gets its own answer, whatever order the concurrent requests arrive in; each takes over a second,
    so the batch outlasts the interval between progress notifications."""
    return Reply(
        text="answer for " + ("second" if "second-point" in json.dumps(body) else "the rest"), hang_after_first=1.2
    )


async def test_batch_runs_every_item_reports_progress_and_resumes(tmp_path: Path, projects_dir: Path) -> None:
    spec_file = write(tmp_path / "work" / "third.md", GOOD_SPEC)
    items = [
        {"spec": GOOD_SPEC, "slug": "batch-a"},
        {"spec": GOOD_SPEC, "slug": "batch-a", "prompt": "Mention the second-point first."},
        {"spec_path": "third.md", "slug": "batch-b"},
    ]
    progress: list[tuple[float, str | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, message))

    with FakeOpenAI(choose=answer_by_slug) as fake:
        async with connected(
            tmp_path / "server.log", "--root", str(spec_file.parent), env={"DISPATCH_BASE_URL": fake.base_url}
        ) as client:
            ran = data(
                await client.call_tool(
                    "batch",
                    {"items": items, "cwd": str(spec_file.parent), "concurrency": 4},
                    progress_callback=on_progress,
                )
            )
            sent = len(fake.requests)
            again = data(await client.call_tool("batch", {"resume": ran["batch_id"]}))
    assert (ran["total"], ran["ok"], ran["failed"], ran["rejected"], ran["stopped"]) == (3, 3, 0, 0, None)
    assert [item["batch_item"] for item in ran["items"]] == [1, 2, 3]
    assert [item["status"] for item in ran["items"]] == ["ok"] * 3
    assert ran["items"][1]["result"] == "answer for second" and ran["items"][2]["result"] == "answer for the rest"
    assert sent == 3 and len(fake.requests) == 3, "the resume found every item done and sent nothing"
    assert again["batch_id"] == ran["batch_id"] and again["ok"] == 3
    runs_a = dispatch("runs", "--slug", "batch-a", "--json").json()
    assert sorted(r["run_id"] for r in runs_a) == sorted(i["run_id"] for i in ran["items"][:2])
    first, second = sorted(ran["items"][:2], key=lambda i: i["run_id"])
    assert first["batch_item"] == 1 and second["batch_item"] == 2, "items of one project run in manifest order"
    assert progress and all(message and message.startswith("batch: ") for _, message in progress)
    listed = dispatch("batch", "--list", "--json").json()
    assert [(b["batch_id"], b["ok"], b["total"]) for b in listed] == [(ran["batch_id"], 3, 3)]


async def test_a_rejected_item_sends_nothing_unless_skipped(tmp_path: Path) -> None:
    items = [{"spec": GOOD_SPEC, "slug": "fine"}, {"spec": "Goal: do the thing as discussed", "slug": "vague"}]
    with FakeOpenAI() as fake:
        async with connected(tmp_path / "server.log", env={"DISPATCH_BASE_URL": fake.base_url}) as client:
            refused = await client.call_tool("batch", {"items": items})
            sent = len(fake.requests)
            skipped = data(await client.call_tool("batch", {"items": items, "skip_rejected": True}))
            both = await client.call_tool("batch", {"items": items, "resume": "batch-20261202-000000-1"})
            outside = await client.call_tool("batch", {"items": [{"spec_path": "/etc/hostname"}]})
            unknown = await client.call_tool("batch", {"resume": "batch-20261202-000000-1"})
    envelope = data(refused)
    assert refused.is_error and envelope["status"] == "rejected" and envelope["exit_code"] == 3
    assert "1 of 2 items rejected; nothing was sent" in refused.content[0].text.splitlines()[0]
    [rejected] = envelope["rejected"]
    assert rejected["batch_item"] == 2 and rejected["slug"] == "vague"
    assert "missing-section" in {f["rule"] for f in rejected["findings"]} and all(
        f["fix"] for f in rejected["findings"]
    )
    assert sent == 0, "nothing reaches a model while any item is rejected"
    assert (skipped["ok"], skipped["rejected"]) == (1, 1) and len(fake.requests) == 1
    assert [i["status"] for i in skipped["items"]] == ["ok", "rejected"]
    for result, expected in (
        (both, "give items"),
        (outside, "outside cwd and the projects directory"),
        (unknown, "no batch batch-20261202-000000-1 on record"),
    ):
        assert result.is_error and expected in result.content[0].text.splitlines()[0], result.content[0].text
    assert "Traceback" not in (tmp_path / "server.log").read_text()
