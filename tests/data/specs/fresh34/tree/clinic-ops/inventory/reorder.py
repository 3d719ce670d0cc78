"""Suggest reorder quantities from stock_levels.csv."""
import csv, sys

def suggest(row):
    on_hand = int(row["on_hand"])
    point = int(row["reorder_point"])
    if on_hand >= point:
        return 0
    # BUG: ignores pack_size, so we order 8 doses of a 10-dose pack
    return point - on_hand

def main(path):
    with open(path) as f:
        for row in csv.DictReader(f):
            q = suggest(row)
            if q:
                print(f'{row["branch"]},{row["sku"]},{q}')

if __name__ == "__main__":
    main(sys.argv[1])
