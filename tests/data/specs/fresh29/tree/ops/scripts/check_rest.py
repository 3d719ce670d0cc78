"""Flag crew members whose rest between consecutive pairings is below minimum."""
import csv
import sys
from datetime import datetime

import yaml


def ts(v):
    return datetime.strptime(v, "%Y-%m-%dT%H:%MZ")


def check(pairings_path, rules_path):
    rules = yaml.safe_load(open(rules_path))
    rows = list(csv.DictReader(open(pairings_path)))
    last_release = {}
    problems = []
    for r in sorted(rows, key=lambda r: r["report_utc"]):
        for who in (r["captain"], r["first_officer"]):
            if who in last_release:
                rest = (ts(r["report_utc"]) - last_release[who]).total_seconds() / 3600
                if rest < rules["min_rest_hours"]:
                    problems.append((who, r["pairing_id"], round(rest, 1)))
            last_release[who] = ts(r["release_utc"])
    return problems


if __name__ == "__main__":
    for p in check(sys.argv[1], sys.argv[2]):
        print(*p, sep="\t")
