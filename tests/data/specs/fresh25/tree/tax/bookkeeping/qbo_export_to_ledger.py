"""Convert a QuickBooks Online transaction export (CSV) into ledger rows.

Usage: python tax/bookkeeping/qbo_export_to_ledger.py EXPORT.csv > ledger.tsv
Accounts are mapped with tax/bookkeeping/chart_of_accounts.csv.
"""
import csv
import sys
from pathlib import Path

COA = Path(__file__).with_name("chart_of_accounts.csv")


def load_chart(path=COA):
    with open(path, newline="") as f:
        return {row["qbo_name"]: row["ledger_code"] for row in csv.DictReader(f)}


def convert(rows, chart):
    out = []
    for r in rows:
        code = chart.get(r["Account"], "9999")
        amount = float(r["Amount"])
        out.append((r["Date"], code, r["Name"], f"{amount:.2f}"))
    return out


def main(argv):
    with open(argv[1], newline="") as f:
        rows = list(csv.DictReader(f))
    for line in convert(rows, load_chart()):
        print("\t".join(line))


if __name__ == "__main__":
    main(sys.argv)
