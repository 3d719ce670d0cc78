"""Sync the local formulary CSV into the dose-rule engine's lookup table."""
import csv
from pathlib import Path

DATA = Path(__file__).parent / "data" / "formulary_sample.csv"


def load_formulary(path=DATA):
    rows = {}
    with open(path, newline="") as fh:
        for r in csv.DictReader(fh):
            # NDC is the key; strength_mg is stored as text upstream
            rows[r["ndc"]] = {
                "name": r["generic_name"].strip().lower(),
                "strength_mg": float(r["strength_mg"]),
                "route": r["route"].upper(),
                "formulary": r["status"] == "F",
            }
    return rows


def non_formulary(rows):
    return sorted(k for k, v in rows.items() if not v["formulary"])
