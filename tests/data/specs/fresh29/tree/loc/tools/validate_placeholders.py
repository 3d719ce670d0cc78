"""Compare {placeholders} in a target locale's string table against en-US."""
import csv
import re
import sys

PH = re.compile(r"\{[a-z_]+\}")


def load(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return {r["string_id"]: r["text"] for r in csv.DictReader(fh)}


def mismatches(source_path, target_path):
    src, tgt = load(source_path), load(target_path)
    out = []
    for sid, text in src.items():
        want = sorted(PH.findall(text))
        got = sorted(PH.findall(tgt.get(sid, "")))
        if want != got:
            out.append((sid, want, got))
    return out


if __name__ == "__main__":
    for sid, want, got in mismatches(sys.argv[1], sys.argv[2]):
        print(f"{sid}\texpected={want}\tfound={got}")
