"""Report open RFIs and how many days past due they are."""
import csv
import sys
from datetime import date


def aging(path, today=None):
    today = today or date.today()
    rows = []
    with open(path, newline="") as fh:
        for r in csv.DictReader(fh):
            if r["status"] != "open":
                continue
            due = date.fromisoformat(r["date_due"])
            rows.append((r["rfi_no"], r["assigned_to"], (today - due).days))
    return sorted(rows, key=lambda x: -x[2])


if __name__ == "__main__":
    for rfi, who, days in aging(sys.argv[1]):
        print(f"{rfi}\t{who}\t{days}")
