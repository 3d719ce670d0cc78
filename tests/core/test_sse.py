from __future__ import annotations

import random

from core.backends.sse import SSEParser

STREAM = (
    'data: {"a": "héllo — 世界"}\n\n: comment\n\nevent: ping\ndata: x\r\n\r\n'
    "data: line1\ndata: line2\n\ndata: [DONE]\n\n"
).encode()
EXPECTED = [("message", '{"a": "héllo — 世界"}'), ("ping", "x"), ("message", "line1\nline2"), ("message", "[DONE]")]


def parse_in_pieces(data: bytes, cuts: list[int]) -> list[tuple[str, str]]:
    parser = SSEParser()
    out = []
    start = 0
    for cut in [*sorted(cuts), len(data)]:
        out.extend(parser.feed(data[start:cut]))
        start = cut
    out.extend(parser.close())
    return out


def test_whole_stream_parses() -> None:
    assert parse_in_pieces(STREAM, []) == EXPECTED


def test_every_single_split_point_gives_the_same_events() -> None:
    for cut in range(1, len(STREAM)):
        assert parse_in_pieces(STREAM, [cut]) == EXPECTED, f"split at byte {cut}"


def test_random_multi_splits_including_inside_utf8() -> None:
    rng = random.Random(7)
    for _ in range(300):
        cuts = rng.sample(range(1, len(STREAM)), rng.randint(2, 12))
        assert parse_in_pieces(STREAM, cuts) == EXPECTED


def test_unterminated_last_event_is_flushed_on_close() -> None:
    assert parse_in_pieces(b"data: tail", []) == [("message", "tail")]
