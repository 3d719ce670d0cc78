"""Minimal sanity checks on the static GTFS feed in transit/gtfs/."""
import csv
import sys
from pathlib import Path

FEED = Path(__file__).resolve().parents[1] / "gtfs"


def load(name):
    with open(FEED / name, newline="") as fh:
        return list(csv.DictReader(fh))


def check_stop_refs():
    stop_ids = {s["stop_id"] for s in load("stops.txt")}
    bad = [st for st in load("stop_times.txt") if st["stop_id"] not in stop_ids]
    return [f"stop_times references unknown stop_id {b['stop_id']} (trip {b['trip_id']})" for b in bad]


def check_trip_refs():
    route_ids = {r["route_id"] for r in load("routes.txt")}
    return [f"trip {t['trip_id']} has unknown route_id {t['route_id']}"
            for t in load("trips.txt") if t["route_id"] not in route_ids]


if __name__ == "__main__":
    problems = check_stop_refs() + check_trip_refs()
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)
