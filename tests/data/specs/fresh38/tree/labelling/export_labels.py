"""Convert the annotation tool's JSON export into train/val CSVs."""
import csv
import json
import random
import sys


def main(export_path, out_dir, val_fraction=0.15, seed=17):
    with open(export_path) as f:
        items = json.load(f)
    rows = [
        {"path": it["file"], "label": it["annotations"][0]["label"]}
        for it in items
        if it.get("annotations")
    ]
    random.Random(seed).shuffle(rows)
    n_val = int(len(rows) * val_fraction)
    for name, part in (("val", rows[:n_val]), ("train", rows[n_val:])):
        with open(f"{out_dir}/{name}.csv", "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=["path", "label"])
            w.writeheader()
            w.writerows(part)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
