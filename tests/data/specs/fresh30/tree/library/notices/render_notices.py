"""Render patron notices from a template and a CSV of patron rows."""
import csv
import sys

def render(template_path, rows_path):
    with open(template_path) as f:
        template = f.read()
    out = []
    with open(rows_path, newline="") as f:
        for row in csv.DictReader(f):
            row["item_list"] = "\n".join("- " + t for t in row["item_list"].split("|"))
            out.append(template.format(**row))
    return out

if __name__ == "__main__":
    for notice in render(sys.argv[1], sys.argv[2]):
        print(notice)
        print("-" * 40)
