from timeparse.duration import parse_duration


def test_seconds():
    assert parse_duration("90s").total_seconds() == 90
