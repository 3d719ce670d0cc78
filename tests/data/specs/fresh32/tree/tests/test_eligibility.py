from dr.enrollment.eligibility import is_eligible


def test_basic_eligible():
    assert is_eligible({"rate_code": "R1", "meter_type": "AMI", "arrears_days": 0})


def test_medical_baseline_excluded():
    assert not is_eligible({"rate_code": "R1", "meter_type": "AMI", "medical_baseline": True})
