"""Summarise `sacct -P` output into CPU-hours per user.

Usage:
  sacct -a -P -X -S 2025-01-01 -o User,JobID,Partition,AllocCPUS,ElapsedRaw,State \
    | python hpc/scripts/sacct_report.py
"""
import sys
from collections import defaultdict


def parse(lines):
    rows, header = [], None
    for line in lines:
        line = line.strip()
        if not line:
            continue
        fields = line.split("|")
        if header is None:
            header = fields
            continue
        rows.append(dict(zip(header, fields)))
    return rows


def cpu_hours_by_user(rows):
    totals = defaultdict(float)
    for r in rows:
        totals[r["User"]] += int(r["AllocCPUS"]) * int(r["ElapsedRaw"]) / 3600
    return dict(totals)


def main():
    rows = parse(sys.stdin)
    for user, hours in sorted(cpu_hours_by_user(rows).items(), key=lambda kv: -kv[1]):
        print(f"{user}\t{hours:.1f}")


if __name__ == "__main__":
    main()
