from dr.reports.quarterly_summary import summarize


def test_summarize_two_events():
    events = [
        {"event_id": "E-1", "enrolled": 100, "participated": 80, "kw_reduced": 50.0},
        {"event_id": "E-2", "enrolled": 100, "participated": 90, "kw_reduced": 61.3},
    ]
    out = summarize(events)
    assert out == {"events": 2, "avg_participation_pct": 85.0, "total_kw_reduced": 111.3}
