"""Load active NOTAMs from CSV for the morning OCC briefing."""
import csv
from datetime import datetime, timezone


def parse_ts(value):
    if value == "PERM":
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%MZ").replace(tzinfo=timezone.utc)


def load_notams(path):
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["effective"] = parse_ts(row["effective_utc"])
        row["expires"] = parse_ts(row["expires_utc"])
    return rows
