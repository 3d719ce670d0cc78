"""Send rebooking notices (SMS + email) to passengers on a disrupted flight.

Usage: python send_notices.py PAX_CSV TEMPLATE [--live]
Without --live, prints the rendered messages instead of sending them.
"""
import csv
import sys

from string import Template


def render(template_path, pax):
    return Template(open(template_path).read()).safe_substitute(pax)


def main(argv):
    pax_csv, template = argv[0], argv[1]
    live = "--live" in argv
    for pax in csv.DictReader(open(pax_csv)):
        msg = render(template, pax)
        if live:
            from northgate_notify import send  # production gateway
            send(pax["phone"], pax["email"], msg)
        else:
            print(f"--- {pax['pnr']} ---\n{msg}")


if __name__ == "__main__":
    main(sys.argv[1:])
