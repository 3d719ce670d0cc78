"""Parse 15-minute smart-meter interval exports (kWh per interval)."""
import csv
from datetime import datetime


def read_intervals(path):
    rows = []
    with open(path, newline="") as fh:
        for rec in csv.DictReader(fh):
            rows.append({
                "meter_id": rec["meter_id"],
                "start": datetime.strptime(rec["interval_start"], "%Y-%m-%d %H:%M"),
                "kwh": float(rec["kwh"]),
            })
    return rows


def daily_totals(rows):
    totals = {}
    for r in rows:
        key = (r["meter_id"], r["start"].date())
        totals[key] = totals.get(key, 0.0) + r["kwh"]
    return totals
