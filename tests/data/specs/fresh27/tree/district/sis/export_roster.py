"""Nightly roster export from the SIS CSV dump to the Google Workspace sync format."""
import csv
import sys

FIELD_MAP_PATH = "district/sis/field_map.csv"


def load_field_map(path=FIELD_MAP_PATH):
    with open(path, newline="") as f:
        return {row["sis_field"]: row["gws_field"] for row in csv.DictReader(f)}


def transform(rows, field_map):
    out = []
    for row in rows:
        rec = {dst: row.get(src, "").strip() for src, dst in field_map.items()}
        if not rec.get("primaryEmail"):
            continue
        out.append(rec)
    return out


if __name__ == "__main__":
    fm = load_field_map()
    rows = list(csv.DictReader(sys.stdin))
    w = csv.DictWriter(sys.stdout, fieldnames=list(fm.values()))
    w.writeheader()
    w.writerows(transform(rows, fm))
