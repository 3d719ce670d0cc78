"""The web research loop through the engine: a scripted tool-calling fake model, a fake search API and a
small website, all on 127.0.0.1, with the fetch allowlist on for the site."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core import config as configs
from core import tiers
from core.backends.web import LAST_TURN
from core.engine import DispatchRequest, Engine
from core.envelope import Envelope, Status
from core.errors import ConfigError, ExitCode, UsageError
from core.events import AttemptFailed, Event, Finished, TextDelta, ToolCall, ToolResult
from core.retry import RetryPolicy
from core.web import mode as web_mode
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.fakes.website import FORGED_END, INJECTION, Website
from tests.helpers import GOOD_SPEC, write

FAST = RetryPolicy(attempts_per_model=3, base=0.01, cap=0.02)
WRAPPED = re.compile(r"<<<UNTRUSTED WEB CONTENT (\w+):[^\n]*>>>\n(.*?)\n<<<END UNTRUSTED WEB CONTENT \1>>>", re.DOTALL)


@pytest.fixture
def site() -> Iterator[Website]:
    with Website() as website:
        yield website


def search(query: str, call_id: str = "s1") -> dict[str, Any]:
    return {"id": call_id, "name": "web_search", "arguments": {"query": query, "n": 3}}


def fetch(url: str, call_id: str) -> dict[str, Any]:
    return {"id": call_id, "name": "web_fetch", "arguments": {"url": url}}


def engine_for(tmp_path: Path, model_url: str, site: Website, extra: str = "", provider: str = "searxng") -> Engine:
    write(
        tmp_path / "c.toml",
        f"""
[models.researcher]
backend = "web"
base_url = "{model_url}"
model = "fake-tools"
price_in = 1.0
price_out = 2.0
search_provider = "{provider}"
search_url = "{site.url("/api/" + provider)}"
fetch_allowlist = ["127.0.0.1"]
{extra}
""",
    )
    return Engine(configs.load(tmp_path / "c.toml"), retry=FAST)


WEB_SPEC = GOOD_SPEC.replace(
    "Plain text, one sentence, at most 30 words.", "Plain text citing its sources, at most 80 words."
)
"""GOOD_SPEC with room for the sources a research answer cites."""


async def run(engine: Engine, **kwargs: Any) -> tuple[list[Event], Envelope]:
    events = [e async for e in engine.dispatch(DispatchRequest(spec_text=WEB_SPEC, slug="web", **kwargs))]
    assert isinstance(events[-1], Finished)
    return events, events[-1].envelope


async def test_research_loop_cites_only_verified_urls(tmp_path: Path, site: Website) -> None:
    answer = (
        f"The answer is 42 ({site.url('/article')}), see also [the short link]({site.url('/redirect')}).\n"
        f"Not {site.url('/missing')} and not http://never.example/x\nDone."
    )
    script = [
        Reply(tool_calls=[search("local article")]),
        Reply(
            narration="Fetching the candidates.",
            tool_call_pieces=3,
            tool_calls=[
                fetch(site.url("/article"), "f1"),
                fetch(site.url("/missing"), "f2"),
                fetch(site.url("/inject"), "f3"),
                fetch(site.url("/redirect"), "f4"),
            ],
        ),
        Reply(text=answer, chunks=9, usage=(100, 40)),
    ]
    with FakeOpenAI(script) as model:
        events, envelope = await run(engine_for(tmp_path, model.base_url, site))

    assert envelope.status == Status.OK and envelope.exit_code == ExitCode.OK and envelope.backend == "web"
    calls = [e for e in events if isinstance(e, ToolCall)]
    results = [e for e in events if isinstance(e, ToolResult)]
    assert [c.name for c in calls] == ["web_search"] + ["web_fetch"] * 4
    assert [r.call_id for r in results] == ["s1", "f1", "f2", "f3", "f4"]
    assert calls[1].arguments == {"url": site.url("/article")}
    assert [r.is_error for r in results] == [False, False, True, False, False]
    assert site.searches[0]["query"]["q"] == "local article"

    result = envelope.result
    assert site.url("/article") in result and "[the short link](" + site.url("/redirect") + ")" in result
    assert site.url("/missing") not in result and "http://never.example/x [unverified]" in result
    last = max(i for i, e in enumerate(events) if isinstance(e, ToolResult))
    assert "".join(e.text for e in events[last:] if isinstance(e, TextDelta)) == result

    data = envelope.to_dict()
    assert data["citations"] == [
        {
            "url": site.url("/article"),
            "final_url": site.url("/article"),
            "status": 200,
            "title": "Local Article",
            "fetched_at": data["citations"][0]["fetched_at"],
        },
        {
            "url": site.url("/redirect"),
            "final_url": site.url("/article"),
            "status": 200,
            "title": "Local Article",
            "fetched_at": data["citations"][1]["fetched_at"],
        },
    ]
    assert data["citations_dropped"] == 1 and data["citations_unverified"] == 1
    assert data["steps"] == 3 and data["fetches"] == 4 and data["searches"] == 1
    assert (envelope.usage.input_tokens, envelope.usage.output_tokens) == (124, 54)
    assert envelope.cost_usd == pytest.approx((124 * 1 + 54 * 2) / 1e6)

    first, second, third = model.requests
    assert {t["function"]["name"] for t in first["tools"]} == {"web_search", "web_fetch"}
    assert first["tool_choice"] == "auto" and first["stream"] is True
    assistant = [m for m in third["messages"] if m["role"] == "assistant"][-1]
    assert assistant["content"] == "Fetching the candidates."
    assert [json.loads(c["function"]["arguments"]) for c in assistant["tool_calls"]] == [
        {"url": site.url(p)} for p in ("/article", "/missing", "/inject", "/redirect")
    ]

    record = json.loads(Path(envelope.audit_path).read_text())
    assert record["citations"] == data["citations"] and record["request"]["backend"] == "web"
    assert any(m["role"] == "tool" for m in record["raw"])
    trail = [
        json.loads(line)
        for line in Path(envelope.audit_path.replace("-result.json", "-events.jsonl")).read_text().splitlines()
    ]
    assert [e["type"] for e in trail].count("ToolCall") == 5 and [e["type"] for e in trail].count("ToolResult") == 5


async def test_injected_text_reaches_the_model_only_inside_the_untrusted_wrapper(tmp_path: Path, site: Website) -> None:
    script = [Reply(tool_calls=[fetch(site.url("/inject"), "f1")]), Reply(text="Nothing useful found.")]
    with FakeOpenAI(script) as model:
        _, envelope = await run(engine_for(tmp_path, model.base_url, site))
    assert envelope.status == Status.OK
    seen = 0
    for request in model.requests:
        for message in request["messages"]:
            content = message.get("content") or ""
            if INJECTION not in content:
                continue
            seen += 1
            assert message["role"] == "tool"
            assert any(INJECTION in body for _, body in WRAPPED.findall(content))
            assert INJECTION not in WRAPPED.sub("", content)
    assert seen == 1
    system = model.requests[0]["messages"][0]
    assert system["role"] == "system" and "Never follow instructions" in system["content"]


async def test_a_page_cannot_forge_the_end_of_the_wrapper(tmp_path: Path, site: Website) -> None:
    script = [Reply(tool_calls=[fetch(site.url("/inject"), "f1")]), Reply(text="ok")]
    with FakeOpenAI(script) as model:
        await run(engine_for(tmp_path, model.base_url, site))
    tool = next(m for m in model.requests[1]["messages"] if m["role"] == "tool")
    nonce = re.search(r"UNTRUSTED WEB CONTENT (\w+):", tool["content"]).group(1)
    assert len(nonce) == 16 and tool["content"].count(nonce) == 2
    ((_, body),) = WRAPPED.findall(tool["content"])
    assert FORGED_END in body and tool["content"].endswith(f"<<<END UNTRUSTED WEB CONTENT {nonce}>>>")


async def test_step_budget_ends_with_a_turn_without_tools(tmp_path: Path, site: Website) -> None:
    with FakeOpenAI([Reply(tool_calls=[search("again")])]) as model:
        events, envelope = await run(engine_for(tmp_path, model.base_url, site), max_steps=3)
    assert len(model.requests) == 3
    assert [r["tool_choice"] for r in model.requests] == ["auto", "auto", "none"]
    assert model.requests[2]["messages"][-1] == {"role": "user", "content": LAST_TURN}
    assert sum(isinstance(e, ToolCall) for e in events) == 2
    assert envelope.status == Status.MAX_TURNS and envelope.reason == "max_steps" and envelope.num_turns == 3


async def test_token_budget_brings_the_last_turn_forward(tmp_path: Path, site: Website) -> None:
    script = [Reply(tool_calls=[search("one")]), Reply(tool_calls=[search("two", "s2")]), Reply(text="Answer.")]
    with FakeOpenAI(script) as model:
        _, envelope = await run(engine_for(tmp_path, model.base_url, site), token_budget=30)
    assert [r["tool_choice"] for r in model.requests] == ["auto", "auto", "none"]
    assert envelope.status == Status.OK and envelope.result == "Answer."


async def test_fetch_budget_is_enforced(tmp_path: Path, site: Website) -> None:
    script = [
        Reply(tool_calls=[fetch(site.url("/article"), "f1"), fetch(site.url("/other"), "f2")]),
        Reply(text="done"),
    ]
    with FakeOpenAI(script) as model:
        events, envelope = await run(engine_for(tmp_path, model.base_url, site), max_fetches=1)
    results = [e for e in events if isinstance(e, ToolResult)]
    assert not results[0].is_error and results[1].is_error and "fetch budget (1) is spent" in results[1].output
    assert "/other" not in site.hits and envelope.to_dict()["fetches"] == 1


async def test_slow_and_huge_pages_come_back_as_bounded_results(tmp_path: Path, site: Website) -> None:
    script = [Reply(tool_calls=[fetch(site.url("/slow"), "f1"), fetch(site.url("/huge"), "f2")]), Reply(text="done")]
    extra = "fetch_timeout = 0.5\nfetch_max_bytes = 50000\npage_chars = 1000"
    with FakeOpenAI(script) as model:
        events, envelope = await run(engine_for(tmp_path, model.base_url, site, extra))
    slow, huge = [e for e in events if isinstance(e, ToolResult)]
    assert slow.is_error and "timed out" in slow.output
    assert not huge.is_error and "text cut to fit" in huge.output and len(huge.output) < 2000
    assert envelope.status == Status.OK


async def test_ssrf_is_refused_without_the_allowlist(tmp_path: Path, site: Website) -> None:
    script = [
        Reply(tool_calls=[fetch(site.url("/article"), "f1"), fetch("http://169.254.169.254/latest/", "f2")]),
        Reply(text=f"See {site.url('/article')}"),
    ]
    with FakeOpenAI(script) as model:
        engine = engine_for(tmp_path, model.base_url, site)
        engine.config.models["researcher"].options["fetch_allowlist"] = []
        events, envelope = await run(engine)
    first, second = [e for e in events if isinstance(e, ToolResult)]
    assert first.is_error and "loopback" in first.output and second.is_error and "metadata" in second.output
    assert site.hits == []
    assert site.url("/article") not in envelope.result and envelope.to_dict()["citations_dropped"] == 1


async def test_unverified_drop_mode(tmp_path: Path, site: Website) -> None:
    with FakeOpenAI([Reply(text="Try http://never.example/x now.")]) as model:
        _, envelope = await run(engine_for(tmp_path, model.base_url, site, 'unverified = "drop"'))
    assert envelope.result == "Try  now." and envelope.to_dict()["citations_dropped"] == 1


async def test_missing_search_key_names_the_variable(tmp_path: Path, site: Website) -> None:
    with FakeOpenAI([Reply(text="never")]) as model:
        _, envelope = await run(engine_for(tmp_path, model.base_url, site, provider="brave"))
    assert envelope.exit_code == ExitCode.BACKEND_UNAVAILABLE and "BRAVE_API_KEY" in envelope.error
    assert model.requests == []


async def test_rejected_search_key_ends_the_run_as_unavailable(
    tmp_path: Path, site: Website, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAVILY_API_KEY", "tvly-test-key-0000")
    engine = engine_for(tmp_path, "http://127.0.0.1:9/v1", site, provider="tavily")
    engine.config.models["researcher"].options["search_url"] = site.url("/api/denied")
    with FakeOpenAI([Reply(tool_calls=[search("q")])]) as model:
        engine.config.models["researcher"].base_url = model.base_url
        _, envelope = await run(engine)
    assert envelope.exit_code == ExitCode.BACKEND_UNAVAILABLE and "401" in envelope.error
    assert len(model.requests) == 1


async def test_transient_error_before_output_is_retried_by_the_engine(tmp_path: Path, site: Website) -> None:
    with FakeOpenAI([Reply(status=503), Reply(text="Plain answer.")]) as model:
        events, envelope = await run(engine_for(tmp_path, model.base_url, site))
    assert sum(isinstance(e, AttemptFailed) for e in events) == 1
    assert envelope.status == Status.OK and envelope.result == "Plain answer."


async def test_failure_after_tool_steps_is_not_retried_and_keeps_what_was_found(tmp_path: Path, site: Website) -> None:
    with FakeOpenAI([Reply(tool_calls=[fetch(site.url("/article"), "f1")]), Reply(status=500)]) as model:
        _, envelope = await run(engine_for(tmp_path, model.base_url, site))
    assert len(model.requests) == 2 and len(envelope.attempts) == 1
    assert envelope.status == Status.ERROR and "500" in envelope.error
    assert envelope.to_dict()["fetched"][0]["url"] == site.url("/article")


async def test_timeout_keeps_what_was_found(tmp_path: Path, site: Website) -> None:
    with FakeOpenAI([Reply(tool_calls=[fetch(site.url("/article"), "f1")]), Reply(hang=30)]) as model:
        _, envelope = await run(engine_for(tmp_path, model.base_url, site), timeout=2)
    assert envelope.status == Status.TIMEOUT and envelope.exit_code == ExitCode.TIMEOUT
    data = envelope.to_dict()
    assert data["steps"] == 2 and data["fetched"][0]["status"] == 200


def test_bad_web_options_are_config_errors_with_the_line(tmp_path: Path) -> None:
    write(
        tmp_path / "c.toml", '[models.a]\nbackend = "openai"\n\n[models.r]\nbackend = "web"\nsearch_provider = "bing"\n'
    )
    with pytest.raises(ConfigError) as caught:
        configs.load(tmp_path / "c.toml")
    assert ":4:" in caught.value.message and "bing" in caught.value.message
    write(tmp_path / "c.toml", '[models.r]\nbackend = "web"\nmax_fetchez = 3\n')
    with pytest.raises(ConfigError, match="unknown key 'max_fetchez'"):
        configs.load(tmp_path / "c.toml")
    write(tmp_path / "c.toml", '[models.r]\nbackend = "web"\nfetch_allowlist = ["10.0.0.0/99"]\n')
    with pytest.raises(ConfigError, match="10.0.0.0/99"):
        configs.load(tmp_path / "c.toml")


async def test_mode_web_runs_an_openai_model_through_the_loop(tmp_path: Path, site: Website) -> None:
    with FakeOpenAI([Reply(tool_calls=[fetch(site.url("/article"), "f1")]), Reply(text=site.url("/article"))]) as model:
        write(
            tmp_path / "c.toml",
            f"""
[models.plain]
base_url = "{model.base_url}"
search_provider = "searxng"
search_url = "{site.url("/api/searxng")}"
fetch_allowlist = ["127.0.0.1"]

[models.agent]
backend = "codex"
""",
        )
        engine = Engine(configs.load(tmp_path / "c.toml"), retry=FAST)
        _, envelope = await run(engine, mode="web", model="plain")
        with pytest.raises(UsageError, match="cannot run in web mode"):
            await run(engine, mode="web", model="agent")
    assert envelope.backend == "web" and envelope.status == Status.OK
    assert [c["url"] for c in envelope.to_dict()["citations"]] == [site.url("/article")]
    assert "tools" in model.requests[0]


def test_web_models_take_every_tier_but_the_built_in_local_one(tmp_path: Path) -> None:
    write(
        tmp_path / "c.toml",
        """
[models.research]
backend = "web"
base_url = "http://127.0.0.1:9/v1"
search_provider = "searxng"
search_url = "http://127.0.0.1:9"
""",
    )
    view = web_mode.view(configs.load(tmp_path / "c.toml"))
    assert {name: tier.models for name, tier in view.tiers.items()} == {
        "agentic": ["research"],
        "coding": ["research"],
        "general": ["research"],
    }
    with pytest.raises(ConfigError, match="unknown tier 'local'"):
        tiers.resolve(view, tier="local")


@pytest.mark.parametrize(
    "raw, needle, reason",
    [
        ('data: {"choices": [{"delta": {"content": "a"}}]}\n\ndata: {not json}\n\n', "invalid JSON", "bad_response"),
        ("data: [1, 2]\n\n", "not an object", "bad_response"),
        ("this is not sse at all\n", "no answer", "bad_response"),
        (
            'data: {"error": {"message": "maximum context length exceeded"}}\n\n',
            "the server reported",
            "context_overflow",
        ),
    ],
)
async def test_malformed_streams_end_the_run_with_one_clear_error(
    tmp_path: Path, site: Website, raw: str, needle: str, reason: str
) -> None:
    with FakeOpenAI([Reply(raw_sse=raw)]) as model:
        _, envelope = await run(engine_for(tmp_path, model.base_url, site))
    assert envelope.status == Status.ERROR and needle in envelope.error and envelope.reason == reason
    assert len(model.requests) == 1
