"""Validate a catalog feed CSV before it is pushed to the indexer."""
import csv
import sys

REQUIRED = ["sku", "title", "brand", "price", "currency", "availability"]
AVAILABILITY = {"in stock", "out of stock", "preorder"}


def validate(path):
    errors = []
    with open(path, newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=2):
            for col in REQUIRED:
                if not row.get(col):
                    errors.append((i, col, "missing"))
            if row.get("availability") not in AVAILABILITY:
                errors.append((i, "availability", "bad value"))
    return errors


if __name__ == "__main__":
    for line, col, msg in validate(sys.argv[1]):
        print(f"line {line}: {col}: {msg}")
