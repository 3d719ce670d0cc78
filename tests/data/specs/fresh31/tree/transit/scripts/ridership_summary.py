"""Summarise boardings by route from a ridership CSV (route_id,date,daytype,boardings)."""
import csv
import sys
from collections import defaultdict


def summarise(path):
    totals = defaultdict(int)
    days = defaultdict(set)
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            totals[row["route_id"]] += int(row["boardings"])
            days[row["route_id"]].add(row["date"])
    # TODO: split weekday vs weekend averages; currently averages over all days
    return {r: totals[r] / len(days[r]) for r in totals}


if __name__ == "__main__":
    for route, avg in sorted(summarise(sys.argv[1]).items()):
        print(f"{route}\t{avg:.1f}")
