"""Assign Bates numbers to a list of page counts. Usage: bates_stamp.py PREFIX START counts.txt"""
import sys


def ranges(prefix, start, page_counts, width=6):
    out, n = [], start
    for pages in page_counts:
        out.append((f"{prefix}{n:0{width}d}", f"{prefix}{n + pages - 1:0{width}d}"))
        n += pages
    return out


if __name__ == "__main__":
    prefix, start, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    counts = [int(x) for x in open(path).read().split()]
    for b, e in ranges(prefix, start, counts):
        print(b, e)
