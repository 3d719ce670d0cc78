from datetime import datetime

from dr.interval.parse_interval import daily_totals


def test_daily_totals_clean_meter():
    rows = [
        {"meter_id": "M-20917", "start": datetime(2024, 7, 15, 16, 0), "kwh": 1.12},
        {"meter_id": "M-20917", "start": datetime(2024, 7, 15, 16, 15), "kwh": 1.08},
        {"meter_id": "M-20917", "start": datetime(2024, 7, 15, 16, 30), "kwh": 0.97},
        {"meter_id": "M-20917", "start": datetime(2024, 7, 15, 16, 45), "kwh": 0.95},
    ]
    totals = daily_totals(rows)
    assert round(totals[("M-20917", datetime(2024, 7, 15).date())], 2) == 4.12
