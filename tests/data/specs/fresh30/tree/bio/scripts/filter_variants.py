"""Filter a VCF by QUAL and FILTER column. Writes to stdout."""
import argparse
import sys

def passes(fields, min_qual):
    qual = fields[5]
    if qual == ".":
        return False
    return float(qual) >= min_qual and fields[6] in ("PASS", ".")

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vcf")
    ap.add_argument("--min-qual", type=float, default=30)
    a = ap.parse_args()
    with open(a.vcf) as f:
        for line in f:
            if line.startswith("#") or passes(line.rstrip("\n").split("\t"), a.min_qual):
                sys.stdout.write(line)

if __name__ == "__main__":
    main()
