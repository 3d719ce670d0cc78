from tiers import usage_charge, monthly_bill


def test_first_tier():
    assert usage_charge(4) == 16.40


def test_crosses_two_tiers():
    assert usage_charge(10) == 5 * 4.10 + 5 * 5.35


def test_monthly_bill_zero_usage():
    assert monthly_bill(0) == 18.50
