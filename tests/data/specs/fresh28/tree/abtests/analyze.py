"""Summarise A/B results: CTR and conversion per variant."""
import csv
import sys


def summarise(path):
    out = {}
    with open(path, newline="") as fh:
        for r in csv.DictReader(fh):
            key = (r["experiment"], r["variant"])
            searches = int(r["searches"])
            out[key] = {
                "ctr": int(r["clicks"]) / searches,
                "cvr": int(r["orders"]) / int(r["sessions"]),
            }
    return out


if __name__ == "__main__":
    for (exp, var), m in summarise(sys.argv[1]).items():
        print(f"{exp:22} {var:10} ctr={m['ctr']:.4f} cvr={m['cvr']:.4f}")
