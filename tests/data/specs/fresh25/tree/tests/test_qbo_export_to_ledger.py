import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tax" / "bookkeeping"))
from qbo_export_to_ledger import convert, load_chart  # noqa: E402


def test_known_account_maps():
    rows = [{"Date": "2025-01-05", "Name": "Square", "Account": "Sales", "Amount": "2310.00"}]
    assert convert(rows, load_chart()) == [("2025-01-05", "4000", "Square", "2310.00")]


def test_unknown_account_goes_to_suspense():
    rows = [{"Date": "2025-01-06", "Name": "X", "Account": "Mystery", "Amount": "1"}]
    assert convert(rows, load_chart())[0][1] == "9999"
