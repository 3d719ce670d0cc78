"""`dispatch run --mode web` as an agent uses it: a subprocess, stdout for data, stderr for diagnostics."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.fakes.website import Website
from tests.helpers import GOOD_SPEC, dispatch, write


@pytest.fixture
def site() -> Iterator[Website]:
    with Website() as website:
        yield website


def configure(home: Path, model_url: str, site: Website, provider: str = "searxng") -> None:
    write(
        home / "config.toml",
        f"""
[models.chat]
base_url = "{model_url}"

[models.researcher]
backend = "web"
base_url = "{model_url}"
search_provider = "{provider}"
search_url = "{site.url("/api/" + provider)}"
fetch_allowlist = ["127.0.0.1"]

[models.agent]
backend = "codex"
""",
    )


def script(site: Website) -> list[Reply]:
    return [
        Reply(tool_calls=[{"id": "f1", "name": "web_fetch", "arguments": {"url": site.url("/article")}}]),
        Reply(text=f"Answer: 42, from {site.url('/article')} (not {site.url('/gone')}).", chunks=5),
    ]


def test_json_envelope_carries_citations(isolated: Path, site: Website) -> None:
    spec = write(isolated / "task.md", GOOD_SPEC)
    with FakeOpenAI(script(site)) as model:
        configure(isolated / "home", model.base_url, site)
        result = dispatch(
            "--no-ui",
            "run",
            "--mode",
            "web",
            "--spec",
            str(spec),
            "--slug",
            "w",
            "--json",
            "--max-steps",
            "4",
            "--max-fetches",
            "2",
        )
    assert result.code == 0, result.stderr
    envelope = result.json()
    assert envelope["backend"] == "web" and envelope["model"] == "researcher"
    assert [c["url"] for c in envelope["citations"]] == [site.url("/article")]
    assert envelope["citations_unverified"] == 1 and site.url("/gone") + " [unverified]" in envelope["result"]
    assert "dispatch: tool web_fetch url=" in result.stderr and "Traceback" not in result.stderr
    assert "at most 4 model turns and 2 fetches" in model.requests[0]["messages"][0]["content"]


def test_text_mode_streams_the_checked_answer(isolated: Path, site: Website) -> None:
    with FakeOpenAI(script(site)) as model:
        configure(isolated / "home", model.base_url, site)
        result = dispatch("run", "--mode", "web", "--prompt", GOOD_SPEC, "--slug", "w")
    assert result.code == 0, result.stderr
    assert result.stdout == f"Answer: 42, from {site.url('/article')} (not {site.url('/gone')} [unverified]).\n"


def test_missing_search_key_is_one_line_and_exit_7(isolated: Path, site: Website) -> None:
    with FakeOpenAI(script(site)) as model:
        configure(isolated / "home", model.base_url, site, provider="brave")
        result = dispatch("--no-ui", "run", "--mode", "web", "--prompt", GOOD_SPEC, "--slug", "w")
    assert result.code == 7 and "set BRAVE_API_KEY" in result.stderr and "Traceback" not in result.stderr
    assert model.requests == []


def test_a_model_that_cannot_browse_is_a_usage_error(isolated: Path, site: Website) -> None:
    configure(isolated / "home", "http://127.0.0.1:9/v1", site)
    result = dispatch("--no-ui", "run", "--mode", "web", "--model", "agent", "--prompt", GOOD_SPEC)
    assert result.code == 2 and "cannot run in web mode" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_environment_only_setup_refuses_local_pages(site: Website) -> None:
    with FakeOpenAI(script(site)) as model:
        result = dispatch(
            "--no-ui",
            "run",
            "--mode",
            "web",
            "--prompt",
            GOOD_SPEC,
            "--slug",
            "w",
            "--json",
            env={
                "DISPATCH_BASE_URL": model.base_url,
                "DISPATCH_SEARCH_PROVIDER": "searxng",
                "DISPATCH_SEARCH_URL": site.url("/api/searxng"),
            },
        )
    assert result.code == 0, result.stderr
    envelope = result.json()
    assert envelope["model"] == "default" and envelope["backend"] == "web"
    assert envelope["citations"] == [] and envelope["citations_dropped"] == 1
    assert site.url("/article") not in envelope["result"] and site.hits == []
    assert envelope["fetched"][0]["error"].startswith("refused: 127.0.0.1 is a loopback address")
