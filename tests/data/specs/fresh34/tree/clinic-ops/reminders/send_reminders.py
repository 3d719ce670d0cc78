"""Send appointment reminders for the next day. Use --dry-run to print instead of sending."""
import argparse, csv, datetime, os
from pathlib import Path

TEMPLATE_DIR = Path(__file__).parent / "templates"

def load_template(name):
    return (TEMPLATE_DIR / f"{name}.txt").read_text()

def main():
    p = argparse.ArgumentParser()
    p.add_argument("appointments_csv")
    p.add_argument("--dry-run", action="store_true")
    args = p.parse_args()
    tpl = load_template("vaccine_due")
    with open(args.appointments_csv) as f:
        for row in csv.DictReader(f):
            msg = tpl.format(**row)
            if args.dry_run:
                print(row["phone"], "|", msg)
            else:
                send_sms(row["phone"], msg)  # hits TextLocal live API

def send_sms(phone, msg):
    import requests
    requests.post("https://api.txtlocal.com/send/", data={"apikey": os.environ["TXTLOCAL_KEY"], "numbers": phone, "message": msg})

if __name__ == "__main__":
    main()
