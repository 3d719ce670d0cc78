import csv, sys
from collections import defaultdict

def totals(path):
    out = defaultdict(float)
    for row in csv.DictReader(open(path)):
        out[row["service"]] += float(row["cost_gbp"])
    return dict(out)

if __name__ == "__main__":
    for svc, total in sorted(totals(sys.argv[1]).items()):
        print(f"{svc:10} £{total:8.2f}")
