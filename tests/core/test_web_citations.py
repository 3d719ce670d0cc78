"""The citation check: what happens to each URL in an answer, given what the run fetched."""

from __future__ import annotations

import pytest

from core.web.citations import Citations, LineBuffer, normalize
from core.web.fetch import FetchResult


def fetched(url: str, status: int | None = 200, final: str | None = None, error: str | None = None) -> FetchResult:
    return FetchResult(
        url=url,
        final_url=final or url,
        status=status,
        error=error,
        title=f"title of {url}",
        fetched_at="2026-01-01T00:00:00+00:00",
        redirects=[final] if final else [],
    )


@pytest.mark.parametrize(
    "a, b",
    [
        ("https://Example.COM/a/", "https://example.com/a"),
        ("http://example.com:80/a#part", "http://example.com/a"),
        ("https://example.com:443", "https://example.com/"),
    ],
)
def test_spellings_of_one_page_share_a_key(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)


def test_query_and_scheme_still_matter() -> None:
    assert normalize("https://e.com/a?x=1") != normalize("https://e.com/a?x=2")
    assert normalize("http://e.com/a") != normalize("https://e.com/a")


def test_verified_kept_failed_dropped_unfetched_marked() -> None:
    c = Citations()
    c.record(fetched("https://ok.example/a"))
    c.record(fetched("https://gone.example/b", status=404))
    c.record(fetched("https://blocked.example/", status=None, error="refused: loopback"))
    text = (
        "Per https://ok.example/a, and [gone](https://gone.example/b) and <https://blocked.example/>; "
        "also https://new.example/c."
    )
    out = c.rewrite(text)
    assert out == "Per https://ok.example/a, and gone and ; also https://new.example/c [unverified]."
    extras = c.extras()
    assert [e["url"] for e in extras["citations"]] == ["https://ok.example/a"]
    assert extras["citations"][0] == {
        "url": "https://ok.example/a",
        "final_url": "https://ok.example/a",
        "status": 200,
        "title": "title of https://ok.example/a",
        "fetched_at": "2026-01-01T00:00:00+00:00",
    }
    assert extras["citations_dropped"] == 2 and extras["citations_unverified"] == 1
    assert {d["why"] for d in c.dropped.values()} == {"HTTP 404", "refused: loopback"}


def test_a_redirects_final_url_counts_as_fetched_and_direct_fetches_win() -> None:
    c = Citations()
    c.record(fetched("https://short.example/x", final="https://long.example/article"))
    c.record(fetched("https://long.example/article"))
    assert c.rewrite("see https://long.example/article") == "see https://long.example/article"
    assert c.extras()["citations"][0]["url"] == "https://long.example/article"
    c.begin_answer()
    c.rewrite("see https://short.example/x")
    assert c.extras()["citations"][0]["final_url"] == "https://long.example/article"


def test_a_later_failure_does_not_unverify_a_success() -> None:
    c = Citations()
    c.record(fetched("https://ok.example/a"))
    c.record(fetched("https://ok.example/a", status=503))
    assert c.rewrite("https://ok.example/a") == "https://ok.example/a"


def test_drop_mode_removes_unfetched_urls_and_counts_each_once() -> None:
    c = Citations(unverified="drop")
    assert c.rewrite("a https://x.example/ b https://x.example/ c") == "a  b  c"
    assert c.extras()["citations_dropped"] == 1


def test_parentheses_inside_urls_and_markdown_links_survive() -> None:
    c = Citations()
    c.record(fetched("https://en.wikipedia.org/wiki/Python_(language)"))
    text = "[Py](https://en.wikipedia.org/wiki/Python_(language)) (see https://en.wikipedia.org/wiki/Python_(language))"
    assert c.rewrite(text) == text
    assert len(c.extras()["citations"]) == 1


def test_begin_answer_counts_only_the_last_turn() -> None:
    c = Citations()
    c.rewrite("thinking about https://a.example/")
    c.begin_answer()
    c.rewrite("final with no links")
    assert c.extras()["citations_unverified"] == 0


def test_line_buffer_releases_whole_lines_only() -> None:
    lines = LineBuffer()
    assert lines.feed("see https://exa") == ""
    assert lines.feed("mple.com/a\nnext ") == "see https://example.com/a\n"
    assert lines.rest() == "next " and lines.rest() == ""
