"""Flag possible conflicts by fuzzy-matching a new party name against the client/adverse list."""
import csv
import difflib
import sys

PARTIES = "legal/intake/parties.csv"


def check(name, parties_path=PARTIES, cutoff=0.85):
    with open(parties_path, newline="") as fh:
        names = [row["name"] for row in csv.DictReader(fh)]
    return difflib.get_close_matches(name.lower(), [n.lower() for n in names], n=5, cutoff=cutoff)


if __name__ == "__main__":
    print(check(" ".join(sys.argv[1:])))
