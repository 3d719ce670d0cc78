"""Basic sanity checks on the water mains export before it goes to the GIS."""
import csv
import sys

VALID_MATERIALS = {"DI", "CI", "PVC", "AC", "HDPE", "STL"}


def check_row(row):
    problems = []
    if row["material"] not in VALID_MATERIALS:
        problems.append(f"unknown material {row['material']!r}")
    if not row["diameter_in"] or float(row["diameter_in"]) <= 0:
        problems.append("missing or non-positive diameter")
    if not row["install_year"]:
        problems.append("missing install_year")
    return problems


def main(path):
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            for p in check_row(row):
                print(f"{row['main_id']}: {p}")


if __name__ == "__main__":
    main(sys.argv[1])
