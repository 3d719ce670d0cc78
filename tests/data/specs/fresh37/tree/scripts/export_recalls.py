"""Export postal recalls to CSV for the mail house.

Usage: python scripts/export_recalls.py out.csv
"""
import csv
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brightsmile.settings")
django.setup()

from recalls.models import Recall  # noqa: E402


def rows():
    for r in Recall.objects.filter(channel="post").select_related("patient"):
        p = r.patient
        yield [p.first_name, p.last_name, p.practice, r.due_date.isoformat()]


if __name__ == "__main__":
    with open(sys.argv[1], "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["first_name", "last_name", "practice", "due_date"])
        w.writerows(rows())
