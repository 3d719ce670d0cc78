"""Build the quarterly DR summary table for the regulator filing."""


def summarize(events):
    """events: list of dicts with event_id, enrolled, participated, kw_reduced."""
    enrolled = sum(e["enrolled"] for e in events)
    participated = sum(e["participated"] for e in events)
    kw = sum(e["kw_reduced"] for e in events)
    return {
        "events": len(events),
        "avg_participation_pct": round(100.0 * participated / enrolled, 1) if enrolled else 0.0,
        "total_kw_reduced": round(kw, 1),
    }
