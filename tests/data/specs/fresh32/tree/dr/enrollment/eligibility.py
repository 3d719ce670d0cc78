"""Eligibility rules for PeakSaver enrollment."""

ELIGIBLE_RATE_CODES = {"R1", "R1-TOU", "R2"}


def is_eligible(account):
    """Return True if a residential account can enroll."""
    if account.get("rate_code") not in ELIGIBLE_RATE_CODES:
        return False
    if account.get("meter_type") != "AMI":
        return False
    if account.get("medical_baseline"):
        return False
    return account.get("arrears_days", 0) < 60
